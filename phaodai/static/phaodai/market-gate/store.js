/**
 * What the market gate page keeps on the device, in IndexedDB (database "phaodai-market-gate", apart
 * from the checkpoint verifier's so neither syncs the other's log):
 * - "state": small values by name: the pinned bundle signers, the bundle keys learned from accepted
 *   bundles, the held bundle document, the device id;
 * - "log": one record per scan, keyed by its entry key, with `synced` (0: waiting, 1: synced,
 *   2: refused by the server) and the server's answer;
 * - "used": the single-use passes let in on this device, by pass id, with when and where.
 * No dependency, no build step.
 */

const NAME = "phaodai-market-gate";
const VERSION = 1;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

export async function open() {
  const req = indexedDB.open(NAME, VERSION);
  req.onupgradeneeded = () => {
    const db = req.result;
    if (!db.objectStoreNames.contains("state")) db.createObjectStore("state");
    if (!db.objectStoreNames.contains("log")) db.createObjectStore("log", { keyPath: "entry_key" }).createIndex("synced", "synced");
    if (!db.objectStoreNames.contains("used")) db.createObjectStore("used", { keyPath: "pass_id" });
  };
  return new Store(await request(req));
}

class Store {
  constructor(db) {
    this.db = db;
  }

  async get(name) {
    return request(this.db.transaction("state").objectStore("state").get(name));
  }

  async set(name, value) {
    const tx = this.db.transaction("state", "readwrite");
    tx.objectStore("state").put(value, name);
    return done(tx);
  }

  /**
   * Let a single-use pass in once: in one transaction, the first use already recorded (the pass is
   * refused), or null after recording this one. Two quick scans on one device cannot both win.
   */
  async claimUse(use) {
    const tx = this.db.transaction("used", "readwrite");
    const used = tx.objectStore("used");
    const first = await request(used.get(use.pass_id));
    if (first === undefined) used.put(use);
    await done(tx);
    return first ?? null;
  }

  async addEntry(record) {
    const tx = this.db.transaction("log", "readwrite");
    tx.objectStore("log").put(record);
    return done(tx);
  }

  async waiting() {
    return request(this.db.transaction("log").objectStore("log").index("synced").getAll(0));
  }

  async countBy(synced) {
    return request(this.db.transaction("log").objectStore("log").index("synced").count(synced));
  }

  async countFlagged() {
    const all = await request(this.db.transaction("log").objectStore("log").getAll());
    return all.filter((record) => record.server?.double_use).length;
  }

  async markSynced(results) {
    const tx = this.db.transaction("log", "readwrite");
    const log = tx.objectStore("log");
    for (const result of results) {
      const record = await request(log.get(result.entry_key));
      if (record === undefined) continue;
      record.synced = result.status === "rejected" ? 2 : 1;
      record.server = result;
      log.put(record);
    }
    return done(tx);
  }
}
