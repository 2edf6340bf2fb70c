// Custom Elements Manifest (https://github.com/webcomponents/custom-elements-manifest) for editors,
// Storybook and documentation tools. Written to dist/ during `npm run build`.
export default {
  // server.ts is the Node stand-in, not the element.
  globs: ['src/element/**/*.ts'],
  exclude: ['src/element/server.ts'],
  outdir: 'dist',
  litelement: true,
  packagejson: false,
  plugins: [
    {
      name: 'bc-customer-gate:published',
      packageLinkPhase({ customElementsManifest }) {
        // Describe what ships (dist/element/*.js), not the TypeScript sources.
        const published = (path) =>
          path.replace(/^(?:\/?src\/|\.\/)?(?:element\/)?([\w.-]+)\.[jt]s$/, 'dist/element/$1.js');
        for (const mod of customElementsManifest.modules) {
          mod.path = published(mod.path);
          for (const exp of mod.exports ?? []) {
            if (exp.declaration?.module) exp.declaration.module = published(exp.declaration.module);
          }
          for (const decl of mod.declarations ?? []) {
            // Private fields and internal reactive state are not part of the element's API, and the
            // events are documented by @fires (the analyzer cannot name a computed event type).
            decl.attributes = decl.attributes?.filter((attr) => !attr.fieldName?.startsWith('_'));
            decl.members = decl.members?.filter((member) => !/^[_#]/.test(member.name));
            decl.events = decl.events?.filter((event) => event.name);
          }
        }
      },
    },
  ],
};
