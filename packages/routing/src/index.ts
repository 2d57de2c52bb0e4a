// Routing: which policy an expense routes by, what its rules say, and who approves. Pure
// (no I/O), shared by the approval service (the owner, which stores and re-checks chains)
// and anything else that must decide a route the same way.
export * from './band-rules.js';
export * from './decided-stages.js';
export * from './evaluate-policy.js';
export * from './explain-routing.js';
export * from './money.js';
export * from './org.js';
export * from './plan-route.js';
export * from './resolve-chain.js';
export * from './resolve-steps.js';
export * from './select-policy.js';
