/**
 * The browser behind every session: its fetch, clock, timers, and the page lifecycle events that
 * decide when a confirmation may have gone stale.
 */
import { visibilityState } from './dom.js';
import type { PageEvent, SessionEnvironment } from './session.js';

// visibilitychange bubbles from the document to the window.
const EVENTS = ['visibilitychange', 'pagehide', 'pageshow'] as const;

export const browser: SessionEnvironment = {
  fetch: (url, init) => fetch(url, init),
  now: Date.now,
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as number),
  random: Math.random,
  visible: () => visibilityState() === 'visible',
  watch(callback) {
    /**
     * Other tabs of this origin hear which shopper a session saw. The channel opens with the first
     * thing to tell (after the first answer, so never on the way to a reveal), and is closed while
     * the page sits in the back/forward cache, because some browsers refuse or evict a cached page
     * that holds an open channel; a restored page asks the server again anyway.
     */
    let channel: BroadcastChannel | undefined;
    let wanted = false;
    const connect = (open: boolean) => {
      channel?.close();
      channel = open ? new BroadcastChannel('bc-customer-gate') : undefined;
      if (channel) channel.onmessage = (event) => callback('shopper', String(event.data));
    };
    // Only `persisted` page transitions matter: a page that is really unloading shows nothing
    // again. No `unload` handler, which would keep the page out of the back/forward cache.
    const on = (event: Event) => {
      const type = event.type as PageEvent;
      if (type !== 'visibilitychange') {
        if (!(event as PageTransitionEvent).persisted) return;
        connect(type === 'pageshow' && wanted);
      }
      callback(type);
    };
    for (const type of EVENTS) addEventListener(type, on);
    return {
      tell(digest) {
        wanted = true;
        if (!channel) connect(true);
        channel!.postMessage(digest);
      },
      stop() {
        connect(false);
        for (const type of EVENTS) removeEventListener(type, on);
      },
    };
  },
};
