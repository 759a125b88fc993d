/** The four services; a process runs one (`pnpm start:<role>`) or all (`pnpm start`). */
export type ServiceRole = 'sender' | 'poller' | 'verifier' | 'task-updater';

/** What a role needs is read strictly; what only other roles use is read leniently. */
export function hasRole(roles: readonly ServiceRole[], role: ServiceRole): boolean {
  return roles.includes(role);
}
