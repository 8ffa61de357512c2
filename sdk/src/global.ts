/**
 * The script-tag build (`/sdk/tailor.js`): hides placements at once (so a synchronous tag in
 * `<head>` prevents any flicker), sets `window.tailor`, and loads itself when the tag carries
 * `data-write-key` (and optionally `data-host`, default the script's own origin).
 */
import { tailor } from './index.ts';

declare global {
  interface Window {
    tailor: typeof tailor;
  }
}

window.tailor = tailor;
const script = document.currentScript;
if (script instanceof HTMLScriptElement && script.dataset['writeKey'] !== undefined) {
  tailor.load({
    writeKey: script.dataset['writeKey'],
    host: script.dataset['host'] ?? new URL(script.src).origin,
  });
}
