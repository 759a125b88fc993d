import { describe, expect, it } from 'vitest';
import { renderNotice } from '../src/render/notice';

/** The "decided by … at …" note to the other assignees of a request with a quorum. */

const request = {
  requestId: 'r1',
  taskId: 'Release1/Phase1/Task1',
  title: 'Ship 4.2',
  expiresAt: '2030-01-02T00:00:00.000Z',
};
const decision = {
  action: 'complete' as const,
  actor: 'Ben <ben@corp.example>',
  decidedAt: '2030-01-01T10:00:00.000Z',
};

describe('the decided note', () => {
  it('says who decided, when, and that no answer is needed', () => {
    const note = renderNotice({ type: 'decided', request, decision });
    expect(note.subject).toBe('Decided: Ship 4.2');
    expect(note.text).toContain(
      'the task "Ship 4.2" (task Release1/Phase1/Task1) was completed by Ben <ben@corp.example> at 2030-01-01T10:00:00.000Z.',
    );
    expect(note.text).toContain('the answer links in your request email no longer work');
  });

  it('in the request locale', () => {
    const note = renderNotice({
      type: 'decided',
      request: { ...request, locale: 'de' },
      decision: { ...decision, action: 'fail' },
    });
    expect(note.subject).toBe('Entschieden: Ship 4.2');
    expect(note.text).toContain(
      'wurde von Ben <ben@corp.example> am 2030-01-01T10:00:00.000Z als fehlgeschlagen markiert.',
    );
  });
});
