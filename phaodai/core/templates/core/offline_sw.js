{% autoescape off %}/* The service worker of an offline page (phaodai/core/offline.py): the checkpoint verifier, the
market gate.

Registered by each page with the page's own path as its scope, so it controls only those
pages. It keeps, in one cache named after the assets' content:
- the page itself (network first: a fresh page when online, the last good one offline; redirects,
  e.g. to the login page, and errors are never kept),
- its scripts and styles (cache first: their content is in the cache's name),
- the rule bundle and the bundle signers (network first, cached copy offline; the page itself
  checks every bundle's signature and keeps the last good one in IndexedDB).
Anything else goes to the network untouched. */
const CACHE = "{{ cache_name }}";
const PREFIX = "{{ prefix }}";
const ASSETS = {{ assets }};
const SHARED = {{ shared }};

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // One by one, not addAll: an asset that fails (a deploy in progress) must not stop the install.
      await Promise.all(ASSETS.map((url) => keep(cache, new Request(url))));
      await keep(cache, new Request(self.registration.scope, { credentials: "same-origin" }));
      await Promise.all(SHARED.map((url) => keep(cache, new Request(url))));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

/** Put a good answer to `request` in the cache; a failure (offline, a redirect) leaves it as it was. */
async function keep(cache, request) {
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) await cache.put(request, response.clone());
    return response;
  } catch {
    return null;
  }
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  const fresh = await keep(cache, request);
  if (fresh !== null) return fresh;
  const held = await cache.match(request, { ignoreSearch: request.mode === "navigate" });
  return held ?? Response.error();
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const held = await cache.match(request);
  if (held) return held;
  return (await keep(cache, request)) ?? Response.error();
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.href.startsWith(self.registration.scope)) {
    event.respondWith(networkFirst(request));
  } else if (ASSETS.includes(url.pathname)) {
    event.respondWith(cacheFirst(request));
  } else if (SHARED.includes(url.pathname)) {
    event.respondWith(networkFirst(request));
  }
});
{% endautoescape %}
