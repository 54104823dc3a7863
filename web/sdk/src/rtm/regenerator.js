// As agora-rtm-sdk 1.x, the RTM SDK defines the global regeneratorRuntime
// (facebook/regenerator's runtime): code transpiled by an older Babel calls
// regeneratorRuntime.mark and .wrap for its async functions and generators
// and relies on the RTM script to have defined it.
import "./vendor/regenerator-runtime.js";
