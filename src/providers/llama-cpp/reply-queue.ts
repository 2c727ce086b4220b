/**
 * Buffers a job's replies between the IPC callbacks (which push) and the stream consumer
 * (which pulls at its own pace). A failure is delivered after the replies that preceded it.
 */
export class ReplyQueue<T> {
  private readonly items: T[] = [];
  private failure: { error: unknown } | undefined;
  private waiter: { resolve(item: T): void; reject(error: unknown): void } | undefined;

  push(item: T): void {
    if (this.waiter !== undefined) {
      const { resolve } = this.waiter;
      this.waiter = undefined;
      resolve(item);
    } else {
      this.items.push(item);
    }
  }

  fail(error: unknown): void {
    this.failure ??= { error };
    if (this.waiter !== undefined) {
      const { reject } = this.waiter;
      this.waiter = undefined;
      reject(error);
    }
  }

  /** Fails at once, dropping what was not taken yet (the caller gave up: cancel, timeout). */
  abort(error: unknown): void {
    this.items.length = 0;
    this.failure = { error };
    this.fail(error);
  }

  /** The next reply, or the failure once every earlier reply was taken. */
  shift(): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    if (this.failure !== undefined) return Promise.reject(this.failure.error);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }
}
