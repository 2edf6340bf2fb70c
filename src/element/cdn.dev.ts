/** Entry of the development CDN bundle: the CDN bundle with console hints (and Lit's development build). */
import './hints.js';
import './index.js';
