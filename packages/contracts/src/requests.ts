import type { AnswerAction, Assignee, CompletionRequestInput, Vote } from './jobs';

export type RequestStatus = 'pending' | 'deciding' | 'completed' | 'failed' | 'cancelled';

export interface AuditEvent {
  at: string;
  type:
    | 'requested'
    | 'email_sent'
    | 'email_failed'
    | 'answer_accepted'
    | 'answer_rejected'
    | 'engine_notified'
    | 'engine_failed'
    | 'cancelled'
    | 'reminder_sent'
    | 'escalated'
    | 'expired'
    | 'reassigned';
  actor?: string;
  detail?: string;
  inboundId?: string;
}

/** The state of one completion request, as `GET /v1/completion-requests/{id}` shows it. */
export interface RequestRecord {
  requestId: string;
  taskId: string;
  title: string;
  description?: string;
  release?: CompletionRequestInput['release'];
  assignees: Assignee[];
  locale?: string;
  status: RequestStatus;
  createdAt: string;
  expiresAt: string;
  decision?: {
    action: AnswerAction;
    actor: string;
    inboundId: string;
    decidedAt: string;
    appliedAt?: string;
  };
  cancelledAt?: string;
  remindAfter?: string;
  escalateAfter?: string;
  escalateTo?: Assignee[];
  onExpire?: ExpiryOutcome;
  /** set once when nobody answered within escalateAfter: who was added to `assignees`, when */
  escalation?: Escalation;
  /** what was attached (sanitised names and types, decoded sizes); the bytes are kept apart */
  attachments?: AttachmentSummary[];
  /** approvals (docs/approvals.md); absent = 1, `any`, no requester, false, false */
  quorum?: number;
  failPolicy?: 'any' | 'majority';
  requester?: Assignee;
  allowSelfApproval?: boolean;
  requireReasonOnFail?: boolean;
  /** every counted vote, oldest first, when the request counts votes */
  votes?: Vote[];
}

export type ExpiryOutcome = NonNullable<CompletionRequestInput['onExpire']>;

export interface Escalation {
  at: string;
  /** the request's escalateAfter, as given */
  after: string;
  /** the assignees actually added (those not already named) */
  assignees: Assignee[];
}

export interface AttachmentSummary {
  filename: string;
  contentType: string;
  size: number;
}
