/**
 * What the verifier keeps on the device, in IndexedDB (database "phaodai-verifier"):
 * - "state": small values by name: the pinned bundle signers, the bundle keys learned from accepted
 *   bundles, the held bundle document, the device id;
 * - "log": one record per check, keyed by its local id, with `synced` (0: waiting, 1: synced,
 *   2: refused by the server) and the server's answer.
 * No dependency, no build step.
 */

const NAME = "phaodai-verifier";
const VERSION = 1;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export async function open() {
  const req = indexedDB.open(NAME, VERSION);
  req.onupgradeneeded = () => {
    const db = req.result;
    if (!db.objectStoreNames.contains("state")) db.createObjectStore("state");
    if (!db.objectStoreNames.contains("log")) {
      const log = db.createObjectStore("log", { keyPath: "local_id" });
      log.createIndex("synced", "synced");
    }
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

  async addCheck(record) {
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

  async markSynced(results) {
    const tx = this.db.transaction("log", "readwrite");
    const log = tx.objectStore("log");
    for (const result of results) {
      const record = await request(log.get(result.local_id));
      if (record === undefined) continue;
      record.synced = result.status === "rejected" ? 2 : 1;
      record.server = result;
      log.put(record);
    }
    return done(tx);
  }
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}
