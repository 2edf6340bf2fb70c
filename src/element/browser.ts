/**
 * The browser behind every session: its fetch, clock, timers, and the page lifecycle events that
 * decide when a confirmation may have gone stale.
 */
import type { PageEvent, SessionEnvironment } from './session.js';

type Watcher = (event: PageEvent, digest?: string) => void;

const watchers = new Set<Watcher>();
const dispatch = (event: PageEvent, digest?: string) => {
  for (const watcher of [...watchers]) watcher(event, digest);
};

/**
 * Other tabs of this origin hear which shopper a tab saw. The channel is open only while a session
 * watches and the page is not in the back/forward cache: some browsers refuse or evict a cached
 * page that holds an open channel, and a restored page asks the server again anyway.
 */
let channel: BroadcastChannel | undefined;
const connect = (open: boolean) => {
  channel?.close();
  channel = open ? new BroadcastChannel('bc-customer-gate') : undefined;
  if (channel) channel.onmessage = (event) => dispatch('shopper', String(event.data));
};

// visibilitychange bubbles from the document to the window. Only `persisted` page transitions
// matter: a page that is really unloading shows nothing again. No `unload` handler, which would
// keep the page out of the back/forward cache.
const EVENTS = ['visibilitychange', 'pagehide', 'pageshow'] as const;
const on = (event: Event) => {
  const type = event.type as PageEvent;
  if (type !== EVENTS[0]) {
    if (!(event as PageTransitionEvent).persisted) return;
    connect(type === 'pageshow');
  }
  dispatch(type);
};

export const browser: SessionEnvironment = {
  fetch: (url, init) => fetch(url, init),
  now: Date.now,
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as number),
  random: Math.random,
  visible: () => document.visibilityState === 'visible',
  // Listeners and the channel exist while some session watches, and go with the last one.
  watch(watcher) {
    if (!watchers.size) {
      connect(true);
      for (const type of EVENTS) addEventListener(type, on);
    }
    watchers.add(watcher);
    return () => {
      if (watchers.delete(watcher) && !watchers.size) {
        connect(false);
        for (const type of EVENTS) removeEventListener(type, on);
      }
    };
  },
  tell: (digest) => channel?.postMessage(digest),
};
