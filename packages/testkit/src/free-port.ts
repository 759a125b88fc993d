import net from 'node:net';

/**
 * Asks the kernel for an unused port on 127.0.0.1. The port is released before it is returned,
 * so another process can grab it in between: callers that hand it to a child process must
 * retry on EADDRINUSE (in-process servers should listen on port 0 instead).
 */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('findFreePort: could not read the bound port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
