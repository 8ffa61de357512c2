/**
 * Runs async tasks one at a time, in submission order: the engine's single writer. Appending,
 * applying and committing the view never interleave, which is what keeps the view equal to a
 * replay of the log.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every task submitted before it has settled. */
  run<T>(task: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
