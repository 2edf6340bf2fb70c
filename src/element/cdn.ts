/**
 * Entry of the CDN bundle: defines `<bc-customer-gate>` and exports nothing, so the one file runs
 * both as `<script type="module">` and as the classic `<script src>` that Script Manager writes.
 */
import './index.js';
