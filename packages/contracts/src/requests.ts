import type { AnswerAction, Assignee, CompletionRequestInput } from './jobs';

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
    | 'cancelled';
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
}
