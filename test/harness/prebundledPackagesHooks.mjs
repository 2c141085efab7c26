// Module resolve hook (see prebundledPackagesRegister.mjs): a listed import
// path, from any importer, resolves to its bundle; everything else passes on.
let imports = {};

export function initialize(data) {
  imports = data.imports;
}

export function resolve(specifier, context, nextResolve) {
  const url = imports[specifier];
  return url ? { url, format: 'module', shortCircuit: true } : nextResolve(specifier, context);
}
