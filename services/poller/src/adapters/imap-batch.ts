/**
 * Which UIDs one sync takes, and which of them are backlog. While the folder holds at most one
 * batch, all of it, none backlog: the usual case. When more waits (a flood after an outage),
 * mail that arrived since the previous listing (UID above `highestListed`; UIDs only grow,
 * RFC 3501 2.3.1.1) goes first, up to a quarter of the batch, and the rest of the batch is
 * the oldest mail, marked backlog: the poller queues it behind fresh answers, so a person who
 * answers now is not made to wait for thousands of old answers (issue 9). The oldest still
 * advance every sync, so nothing starves.
 */
export function pickBatch(
  sortedUids: readonly number[],
  limit: number,
  highestListed: number | undefined,
): { take: number[]; backlog: Set<number> } {
  if (sortedUids.length <= limit) return { take: [...sortedUids], backlog: new Set() };
  const fresh =
    highestListed === undefined
      ? []
      : sortedUids.filter((uid) => uid > highestListed).slice(0, Math.max(1, limit >> 2));
  const freshSet = new Set(fresh);
  const oldest = sortedUids
    .filter((uid) => !freshSet.has(uid))
    .slice(0, Math.max(0, limit - fresh.length));
  return { take: [...oldest, ...fresh], backlog: new Set(oldest) };
}
