// esbuild bundles imported CSS into app.<hash>.css.
declare module "*.css";
