/** The widget's entry point re-exports the package version from the ground floor. */
export { packageVersion } from '../version.js';
