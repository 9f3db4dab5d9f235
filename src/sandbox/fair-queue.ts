// A queue served round-robin across keys: each key keeps its own FIFO, and `shift` takes the head of the
// next key after the one served last, so one key's flood waits its turn instead of holding every worker.

export class FairQueue<T> {
  private readonly byKey = new Map<string, T[]>();
  /** Keys with waiting items, in the order they will be served. */
  private readonly ring: string[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(key: string, item: T): void {
    let items = this.byKey.get(key);
    if (!items) {
      items = [];
      this.byKey.set(key, items);
      this.ring.push(key);
    }
    items.push(item);
    this.count++;
  }

  /** The next item, round-robin across keys; the served key goes to the back of the ring. */
  shift(): T | undefined {
    const key = this.ring.shift();
    if (key === undefined) return undefined;
    const items = this.byKey.get(key)!;
    const item = items.shift()!;
    this.count--;
    if (items.length) this.ring.push(key);
    else this.byKey.delete(key);
    return item;
  }

  /** Removes one waiting item (a cancelled evaluation); false if it is not waiting. */
  remove(key: string, item: T): boolean {
    const items = this.byKey.get(key);
    const index = items ? items.indexOf(item) : -1;
    if (!items || index < 0) return false;
    items.splice(index, 1);
    this.count--;
    if (!items.length) {
      this.byKey.delete(key);
      this.ring.splice(this.ring.indexOf(key), 1);
    }
    return true;
  }
}
