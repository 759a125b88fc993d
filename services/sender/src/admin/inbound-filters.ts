import { REJECTION_REASONS, type InboundOutcome, type RejectionReason } from '@rc/contracts';

/** The inbound log's filters as the form on /admin/ submits them (empty fields mean "any"). */
export interface InboundFilters {
  outcome?: InboundOutcome;
  reason?: RejectionReason;
  requestId?: string;
  from?: string;
  limit: number;
}

export const DEFAULT_INBOUND_LIMIT = 100;
const MAX_INBOUND_LIMIT = 1000;

function field(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  const text = typeof value === 'string' ? value.trim() : undefined;
  return text === '' ? undefined : text;
}

/** The filters, and a sentence per field that could not be used (the page shows them). */
export function parseInboundFilters(query: Record<string, unknown>): {
  filters: InboundFilters;
  problems: string[];
} {
  const problems: string[] = [];
  const filters: InboundFilters = { limit: DEFAULT_INBOUND_LIMIT };
  const outcome = field(query, 'outcome');
  if (outcome === 'accepted' || outcome === 'rejected') filters.outcome = outcome;
  else if (outcome !== undefined) problems.push('outcome: must be accepted or rejected');
  const reason = field(query, 'reason');
  if (reason !== undefined && Object.hasOwn(REJECTION_REASONS, reason))
    filters.reason = reason as RejectionReason;
  else if (reason !== undefined) problems.push(`reason: ${reason} is not a documented reason`);
  const requestId = field(query, 'requestId');
  if (requestId !== undefined) filters.requestId = requestId;
  const from = field(query, 'from');
  if (from !== undefined) filters.from = from.toLowerCase();
  const limit = field(query, 'limit');
  if (limit !== undefined) {
    const parsed = Number(limit);
    if (Number.isInteger(parsed) && parsed >= 1 && parsed <= MAX_INBOUND_LIMIT)
      filters.limit = parsed;
    else problems.push(`limit: must be a whole number from 1 to ${MAX_INBOUND_LIMIT}`);
  }
  return { filters, problems };
}
