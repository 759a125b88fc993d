// One grammar for every duration (RC_ variables and request fields such as remindAfter).
export { parseDuration } from '@rc/contracts';
