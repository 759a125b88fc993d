import type { AuditEvent, InboundRecord, RequestRecord } from '@rc/contracts';
import { formatTime, html, type Html } from './html';
import { renderInboundTable } from './inbound-view';

function requestHref(requestId: string): string {
  return `/admin/requests/${encodeURIComponent(requestId)}`;
}

function status(record: RequestRecord): Html {
  return html`<span class="status status-${record.status}">${record.status}</span>`;
}

function assigneeList(record: RequestRecord): Html {
  return html`${record.assignees.map(
    (assignee, index) =>
      html`${index > 0 ? ', ' : ''}${assignee.name ? `${assignee.name} <${assignee.email}>` : assignee.email}`,
  )}`;
}

/** A request id typed in: the way to anything older than the list shows. */
export function renderRequestLookup(requestId = ''): Html {
  return html`<form method="get" action="/admin/requests" role="search" aria-label="Find a request">
    <label>Request id <input name="id" value="${requestId}" size="40" required /></label>
    <button type="submit">Show request</button>
  </form>`;
}

export function renderRecentRequests(records: readonly RequestRecord[]): Html {
  return html`<section id="requests" aria-labelledby="requests-title">
    <h2 id="requests-title">Recent completion requests</h2>
    ${renderRequestLookup()}
    ${
      records.length === 0
        ? html`<p class="muted">No requests yet.</p>`
        : html`<table class="requests">
            <thead>
              <tr>
                <th>Created</th>
                <th>Request</th>
                <th>Task</th>
                <th>Title</th>
                <th>Status</th>
                <th>Assignees</th>
                <th>Expires</th>
              </tr>
            </thead>
            <tbody>
              ${records.map(
                (record) =>
                  html`<tr>
                    <td class="time">${formatTime(record.createdAt)}</td>
                    <td><a href="${requestHref(record.requestId)}">${record.requestId}</a></td>
                    <td class="mono">${record.taskId}</td>
                    <td>${record.title}</td>
                    <td>${status(record)}</td>
                    <td>${assigneeList(record)}</td>
                    <td class="time">${formatTime(record.expiresAt)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
  </section>`;
}

function decisionText(record: RequestRecord): Html | string {
  const decision = record.decision;
  if (!decision) return 'none yet';
  return html`${decision.action} by ${decision.actor} at
  ${formatTime(decision.decidedAt)}${
    decision.appliedAt
      ? html`, engine told at ${formatTime(decision.appliedAt)}`
      : html`, <em>engine not told yet</em>`
  }`;
}

function renderEvents(events: readonly AuditEvent[]): Html {
  if (events.length === 0) return html`<p class="muted">No audit events.</p>`;
  return html`<table class="events">
    <thead>
      <tr>
        <th>At</th>
        <th>Event</th>
        <th>Actor</th>
        <th>Detail</th>
      </tr>
    </thead>
    <tbody>
      ${events.map(
        (event) =>
          html`<tr>
            <td class="time">${formatTime(event.at)}</td>
            <td><code>${event.type}</code></td>
            <td>${event.actor ?? ''}</td>
            <td>${event.detail ?? ''}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** One request: what was asked, of whom, where it stands, its audit trail and its answers. */
export function renderRequestDetail(
  record: RequestRecord,
  events: readonly AuditEvent[],
  inbound: readonly InboundRecord[],
): Html {
  return html`${renderRequestLookup(record.requestId)}
    <section id="request" aria-labelledby="request-title">
      <h2 id="request-title">${record.title}</h2>
      <dl>
        <dt>Request id</dt>
        <dd class="mono">${record.requestId}</dd>
        <dt>Task</dt>
        <dd class="mono">${record.taskId}</dd>
        ${
          record.release
            ? html`<dt>Release</dt>
                <dd>${record.release.title ?? ''} (${record.release.id})</dd>`
            : ''
        }
        <dt>Status</dt>
        <dd>${status(record)}</dd>
        <dt>Assignees</dt>
        <dd>${assigneeList(record)}</dd>
        <dt>Decision</dt>
        <dd>${decisionText(record)}</dd>
        ${
          record.cancelledAt
            ? html`<dt>Cancelled</dt>
                <dd>${formatTime(record.cancelledAt)}</dd>`
            : ''
        }
        <dt>Created</dt>
        <dd>${formatTime(record.createdAt)}</dd>
        <dt>Expires</dt>
        <dd>${formatTime(record.expiresAt)}</dd>
        ${
          record.locale
            ? html`<dt>Language</dt>
                <dd>${record.locale}</dd>`
            : ''
        }
      </dl>
      ${record.description ? html`<p class="description">${record.description}</p>` : ''}
      <h2 id="events-title">Audit events</h2>
      ${renderEvents(events)}
      <h2 id="answers-title">Emails about this request</h2>
      ${renderInboundTable(inbound)}
    </section>`;
}
