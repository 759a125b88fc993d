export { storeKeys, type StoreKeys } from './keys';
export { InboundLog, type InboundLogOptions, type InboundQuery } from './inbound-log';
export {
  RequestStore,
  storedRequestFromJob,
  type AnswerRef,
  type CancelResult,
  type ClaimResult,
  type Decision,
  type RequestState,
  type StoredRequest,
} from './request-store';
export {
  approvalFields,
  countsVotes,
  VoteStore,
  type StoredVote,
  type VoteInput,
  type VoteResult,
  type VoteTally,
} from './vote-store';
export type { ReassignResult } from './reassignment';
export { TimerStore, timerAndAttachmentFields, type EscalateResult } from './timer-store';
export {
  RAW_INLINE_MAX_BYTES,
  RAW_MESSAGE_TTL_MS,
  RawMessageStore,
  type QueueLike,
  type RawMessage,
} from './raw-messages';
