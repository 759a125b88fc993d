import { REJECTION_REASONS, type InboundRecord } from '@rc/contracts';
import { formatTime, html, type Html } from './html';
import type { InboundFilters } from './inbound-filters';

function requestLink(requestId: string | null): Html | string {
  if (!requestId) return '';
  return html`<a href="/admin/requests/${encodeURIComponent(requestId)}">${requestId}</a>`;
}

/** The reason code, what it means (the documented text) and what the verifier added. */
function reasonCell(record: InboundRecord): Html {
  if (!record.reason) return html`${record.detail ?? ''}`;
  return html`<code>${record.reason}</code>
    <span class="reason-text">${REJECTION_REASONS[record.reason] ?? ''}</span>
    ${record.detail ? html`<span class="reason-detail">${record.detail}</span>` : ''}`;
}

/** One row per inbound email: what arrived, and what became of it and why. */
export function renderInboundTable(records: readonly InboundRecord[]): Html {
  if (records.length === 0) return html`<p class="muted">No inbound email matches.</p>`;
  return html`<table class="inbound">
    <thead>
      <tr>
        <th>Received</th>
        <th>Decided</th>
        <th>Outcome</th>
        <th>Reason and detail</th>
        <th>From</th>
        <th>Subject</th>
        <th>Request</th>
        <th>Message-ID</th>
      </tr>
    </thead>
    <tbody>
      ${records.map(
        (record) =>
          html`<tr data-inbound-id="${record.inboundId}">
            <td class="time">${formatTime(record.receivedAt)}</td>
            <td class="time">${formatTime(record.decidedAt)}</td>
            <td class="outcome outcome-${record.outcome}">
              ${record.outcome}${record.action ? html` (${record.action})` : ''}
            </td>
            <td class="reason">${reasonCell(record)}</td>
            <td>${record.from ?? ''}</td>
            <td>${record.subject ?? ''}</td>
            <td>${requestLink(record.requestId)}</td>
            <td class="mono">${record.messageId ?? ''}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function option(value: string, label: string, selected: string | undefined): Html {
  return html`<option value="${value}" ${value === (selected ?? '') ? html`selected` : ''}>
    ${label}
  </option>`;
}

/** The filter form (a plain GET form: the filters are in the URL, so a view can be shared). */
export function renderInboundFilterForm(filters: InboundFilters): Html {
  return html`<form
    method="get"
    action="/admin/"
    class="inbound-filters"
    role="search"
    aria-label="Filter inbound mail"
  >
    <label
      >Outcome
      <select name="outcome">
        ${option('', 'any', filters.outcome)} ${option('accepted', 'accepted', filters.outcome)}
        ${option('rejected', 'rejected', filters.outcome)}
      </select>
    </label>
    <label
      >Reason
      <select name="reason">
        ${option('', 'any', filters.reason)}
        ${Object.keys(REJECTION_REASONS).map((reason) => option(reason, reason, filters.reason))}
      </select>
    </label>
    <label
      >Request id <input name="requestId" value="${filters.requestId ?? ''}" size="24"
    /></label>
    <label
      >From <input name="from" inputmode="email" value="${filters.from ?? ''}" size="28"
    /></label>
    <label
      >Show <input name="limit" type="number" min="1" max="1000" value="${filters.limit}"
    /></label>
    <button type="submit">Filter</button>
    <a href="/admin/">Clear</a>
  </form>`;
}

export function renderInboundSection(
  records: readonly InboundRecord[],
  filters: InboundFilters,
  problems: readonly string[],
): Html {
  return html`<section id="inbound" aria-labelledby="inbound-title">
    <h2 id="inbound-title">Inbound mail and its outcome</h2>
    <p class="muted">
      Every email the mailbox received ends here, accepted or rejected with a reason: the answer to
      "why was my email ignored?". Newest first.
    </p>
    ${renderInboundFilterForm(filters)}
    ${
      problems.length > 0
        ? html`<ul class="problems">
            ${problems.map((p) => html`<li>${p}</li>`)}
          </ul>`
        : ''
    }
    ${renderInboundTable(records)}
  </section>`;
}
