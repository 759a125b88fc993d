import { dlqList } from './dlq-list';
import { dlqReplay } from './dlq-replay';

/** `rc dlq list` and `rc dlq replay` (SPEC 3.6). */
export const DLQ_COMMANDS = [dlqList, dlqReplay] as const;
