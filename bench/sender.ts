import { createApiClient, openMailbox, type Backends } from '@rc/testkit';
import { startProductProcess } from './product-process';
import { rawSendRate } from './raw-libraries';

const ASSIGNEE = 'bench-sender@corp.example';

/**
 * Request emails per second through the product (POST /v1/completion-requests, 16 in flight,
 * until the SMTP server has accepted every email), then a raw pooled nodemailer loop sending
 * the same number of copies of one of those very emails to the same server.
 */
export async function timeSender(
  backends: Backends,
  env: Record<string, string>,
  count: number,
): Promise<{ productRate: number; rawRate: number }> {
  const { stack } = backends;
  const product = await startProductProcess('services/all-in-one/src/main.ts', env);
  let productRate = NaN;
  try {
    const api = createApiClient(`http://127.0.0.1:${product.port}`, env.RC_API_TOKEN ?? null);
    const before = stack.accepted();
    const start = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < count) {
          const i = next++;
          const { status } = await api('POST', '/v1/completion-requests', {
            taskId: `S${i}`,
            title: `Sender bench ${i}`,
            assignees: [{ email: ASSIGNEE }],
          });
          if (status >= 300) throw new Error(`POST /v1/completion-requests answered ${status}`);
        }
      }),
    );
    while (stack.accepted() < before + count) {
      if (performance.now() - start > 300_000) throw new Error('the sender did not finish');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    productRate = (count * 1000) / (performance.now() - start);
  } finally {
    await product.stop();
  }
  const inbox = await openMailbox(stack, ASSIGNEE);
  const email = await inbox.waitFor(() => true);
  await inbox.close();
  const rawRate = await rawSendRate(
    stack.smtp,
    email,
    { from: env.RC_MAILBOX_ADDRESS ?? '', to: [ASSIGNEE] },
    count,
  );
  return { productRate, rawRate };
}
