/*
 * cohost RTM Web SDK — the browser client of cohost's real-time messaging
 * service, with the public API of agora-rtm-sdk 1.x (AgoraRTM.createInstance,
 * login, sendMessageToPeer, channels, attributes, presence, invitations).
 *
 *   <script src="https://your-cohost-server/sdk/cohost-rtm.js"></script>   (defines window.AgoraRTM)
 *
 * It talks to the server it was loaded from; AgoraRTM.setServerURL(url) points it
 * at another one. Built by `go run ./web/build` from web/sdk/src/rtm: do not edit.
 */
(() => {
  var __create = Object.create;
  var __defProp = Object.defineProperty;
  var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
  var __getOwnPropNames = Object.getOwnPropertyNames;
  var __getProtoOf = Object.getPrototypeOf;
  var __hasOwnProp = Object.prototype.hasOwnProperty;
  var __commonJS = (cb, mod) => function __require() {
    try {
      return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;
    } catch (e) {
      throw mod = 0, e;
    }
  };
  var __copyProps = (to, from, except, desc) => {
    if (from && typeof from === "object" || typeof from === "function") {
      for (let key of __getOwnPropNames(from))
        if (!__hasOwnProp.call(to, key) && key !== except)
          __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
    }
    return to;
  };
  var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
    // If the importer is in node compatibility mode or this is not an ESM
    // file that has been converted to a CommonJS file using a Babel-
    // compatible transform (i.e. "__esModule" has not been set), then set
    // "default" to the CommonJS "module.exports" for node compatibility.
    isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
    mod
  ));

  // src/rtm/vendor/regenerator-runtime.js
  var require_regenerator_runtime = __commonJS({
    "src/rtm/vendor/regenerator-runtime.js"(exports, module) {
      /*! regenerator-runtime 0.13.11 (https://github.com/facebook/regenerator), MIT License,
       * Copyright (c) 2014-present, Facebook, Inc. Vendored unchanged below this comment: agora-rtm-sdk
       * 1.x defines the global regeneratorRuntime, and applications transpiled with an older Babel
       * rely on it. */
      var runtime = (function(exports2) {
        "use strict";
        var Op = Object.prototype;
        var hasOwn = Op.hasOwnProperty;
        var defineProperty = Object.defineProperty || function(obj, key, desc) {
          obj[key] = desc.value;
        };
        var undefined2;
        var $Symbol = typeof Symbol === "function" ? Symbol : {};
        var iteratorSymbol = $Symbol.iterator || "@@iterator";
        var asyncIteratorSymbol = $Symbol.asyncIterator || "@@asyncIterator";
        var toStringTagSymbol = $Symbol.toStringTag || "@@toStringTag";
        function define(obj, key, value) {
          Object.defineProperty(obj, key, {
            value,
            enumerable: true,
            configurable: true,
            writable: true
          });
          return obj[key];
        }
        try {
          define({}, "");
        } catch (err2) {
          define = function(obj, key, value) {
            return obj[key] = value;
          };
        }
        function wrap(innerFn, outerFn, self, tryLocsList) {
          var protoGenerator = outerFn && outerFn.prototype instanceof Generator ? outerFn : Generator;
          var generator = Object.create(protoGenerator.prototype);
          var context = new Context(tryLocsList || []);
          defineProperty(generator, "_invoke", { value: makeInvokeMethod(innerFn, self, context) });
          return generator;
        }
        exports2.wrap = wrap;
        function tryCatch(fn, obj, arg) {
          try {
            return { type: "normal", arg: fn.call(obj, arg) };
          } catch (err2) {
            return { type: "throw", arg: err2 };
          }
        }
        var GenStateSuspendedStart = "suspendedStart";
        var GenStateSuspendedYield = "suspendedYield";
        var GenStateExecuting = "executing";
        var GenStateCompleted = "completed";
        var ContinueSentinel = {};
        function Generator() {
        }
        function GeneratorFunction() {
        }
        function GeneratorFunctionPrototype() {
        }
        var IteratorPrototype = {};
        define(IteratorPrototype, iteratorSymbol, function() {
          return this;
        });
        var getProto = Object.getPrototypeOf;
        var NativeIteratorPrototype = getProto && getProto(getProto(values([])));
        if (NativeIteratorPrototype && NativeIteratorPrototype !== Op && hasOwn.call(NativeIteratorPrototype, iteratorSymbol)) {
          IteratorPrototype = NativeIteratorPrototype;
        }
        var Gp = GeneratorFunctionPrototype.prototype = Generator.prototype = Object.create(IteratorPrototype);
        GeneratorFunction.prototype = GeneratorFunctionPrototype;
        defineProperty(Gp, "constructor", { value: GeneratorFunctionPrototype, configurable: true });
        defineProperty(
          GeneratorFunctionPrototype,
          "constructor",
          { value: GeneratorFunction, configurable: true }
        );
        GeneratorFunction.displayName = define(
          GeneratorFunctionPrototype,
          toStringTagSymbol,
          "GeneratorFunction"
        );
        function defineIteratorMethods(prototype) {
          ["next", "throw", "return"].forEach(function(method) {
            define(prototype, method, function(arg) {
              return this._invoke(method, arg);
            });
          });
        }
        exports2.isGeneratorFunction = function(genFun) {
          var ctor = typeof genFun === "function" && genFun.constructor;
          return ctor ? ctor === GeneratorFunction || // For the native GeneratorFunction constructor, the best we can
          // do is to check its .name property.
          (ctor.displayName || ctor.name) === "GeneratorFunction" : false;
        };
        exports2.mark = function(genFun) {
          if (Object.setPrototypeOf) {
            Object.setPrototypeOf(genFun, GeneratorFunctionPrototype);
          } else {
            genFun.__proto__ = GeneratorFunctionPrototype;
            define(genFun, toStringTagSymbol, "GeneratorFunction");
          }
          genFun.prototype = Object.create(Gp);
          return genFun;
        };
        exports2.awrap = function(arg) {
          return { __await: arg };
        };
        function AsyncIterator(generator, PromiseImpl) {
          function invoke(method, arg, resolve, reject) {
            var record = tryCatch(generator[method], generator, arg);
            if (record.type === "throw") {
              reject(record.arg);
            } else {
              var result = record.arg;
              var value = result.value;
              if (value && typeof value === "object" && hasOwn.call(value, "__await")) {
                return PromiseImpl.resolve(value.__await).then(function(value2) {
                  invoke("next", value2, resolve, reject);
                }, function(err2) {
                  invoke("throw", err2, resolve, reject);
                });
              }
              return PromiseImpl.resolve(value).then(function(unwrapped) {
                result.value = unwrapped;
                resolve(result);
              }, function(error) {
                return invoke("throw", error, resolve, reject);
              });
            }
          }
          var previousPromise;
          function enqueue(method, arg) {
            function callInvokeWithMethodAndArg() {
              return new PromiseImpl(function(resolve, reject) {
                invoke(method, arg, resolve, reject);
              });
            }
            return previousPromise = // If enqueue has been called before, then we want to wait until
            // all previous Promises have been resolved before calling invoke,
            // so that results are always delivered in the correct order. If
            // enqueue has not been called before, then it is important to
            // call invoke immediately, without waiting on a callback to fire,
            // so that the async generator function has the opportunity to do
            // any necessary setup in a predictable way. This predictability
            // is why the Promise constructor synchronously invokes its
            // executor callback, and why async functions synchronously
            // execute code before the first await. Since we implement simple
            // async functions in terms of async generators, it is especially
            // important to get this right, even though it requires care.
            previousPromise ? previousPromise.then(
              callInvokeWithMethodAndArg,
              // Avoid propagating failures to Promises returned by later
              // invocations of the iterator.
              callInvokeWithMethodAndArg
            ) : callInvokeWithMethodAndArg();
          }
          defineProperty(this, "_invoke", { value: enqueue });
        }
        defineIteratorMethods(AsyncIterator.prototype);
        define(AsyncIterator.prototype, asyncIteratorSymbol, function() {
          return this;
        });
        exports2.AsyncIterator = AsyncIterator;
        exports2.async = function(innerFn, outerFn, self, tryLocsList, PromiseImpl) {
          if (PromiseImpl === void 0) PromiseImpl = Promise;
          var iter = new AsyncIterator(
            wrap(innerFn, outerFn, self, tryLocsList),
            PromiseImpl
          );
          return exports2.isGeneratorFunction(outerFn) ? iter : iter.next().then(function(result) {
            return result.done ? result.value : iter.next();
          });
        };
        function makeInvokeMethod(innerFn, self, context) {
          var state = GenStateSuspendedStart;
          return function invoke(method, arg) {
            if (state === GenStateExecuting) {
              throw new Error("Generator is already running");
            }
            if (state === GenStateCompleted) {
              if (method === "throw") {
                throw arg;
              }
              return doneResult();
            }
            context.method = method;
            context.arg = arg;
            while (true) {
              var delegate = context.delegate;
              if (delegate) {
                var delegateResult = maybeInvokeDelegate(delegate, context);
                if (delegateResult) {
                  if (delegateResult === ContinueSentinel) continue;
                  return delegateResult;
                }
              }
              if (context.method === "next") {
                context.sent = context._sent = context.arg;
              } else if (context.method === "throw") {
                if (state === GenStateSuspendedStart) {
                  state = GenStateCompleted;
                  throw context.arg;
                }
                context.dispatchException(context.arg);
              } else if (context.method === "return") {
                context.abrupt("return", context.arg);
              }
              state = GenStateExecuting;
              var record = tryCatch(innerFn, self, context);
              if (record.type === "normal") {
                state = context.done ? GenStateCompleted : GenStateSuspendedYield;
                if (record.arg === ContinueSentinel) {
                  continue;
                }
                return {
                  value: record.arg,
                  done: context.done
                };
              } else if (record.type === "throw") {
                state = GenStateCompleted;
                context.method = "throw";
                context.arg = record.arg;
              }
            }
          };
        }
        function maybeInvokeDelegate(delegate, context) {
          var methodName = context.method;
          var method = delegate.iterator[methodName];
          if (method === undefined2) {
            context.delegate = null;
            if (methodName === "throw" && delegate.iterator["return"]) {
              context.method = "return";
              context.arg = undefined2;
              maybeInvokeDelegate(delegate, context);
              if (context.method === "throw") {
                return ContinueSentinel;
              }
            }
            if (methodName !== "return") {
              context.method = "throw";
              context.arg = new TypeError(
                "The iterator does not provide a '" + methodName + "' method"
              );
            }
            return ContinueSentinel;
          }
          var record = tryCatch(method, delegate.iterator, context.arg);
          if (record.type === "throw") {
            context.method = "throw";
            context.arg = record.arg;
            context.delegate = null;
            return ContinueSentinel;
          }
          var info = record.arg;
          if (!info) {
            context.method = "throw";
            context.arg = new TypeError("iterator result is not an object");
            context.delegate = null;
            return ContinueSentinel;
          }
          if (info.done) {
            context[delegate.resultName] = info.value;
            context.next = delegate.nextLoc;
            if (context.method !== "return") {
              context.method = "next";
              context.arg = undefined2;
            }
          } else {
            return info;
          }
          context.delegate = null;
          return ContinueSentinel;
        }
        defineIteratorMethods(Gp);
        define(Gp, toStringTagSymbol, "Generator");
        define(Gp, iteratorSymbol, function() {
          return this;
        });
        define(Gp, "toString", function() {
          return "[object Generator]";
        });
        function pushTryEntry(locs) {
          var entry = { tryLoc: locs[0] };
          if (1 in locs) {
            entry.catchLoc = locs[1];
          }
          if (2 in locs) {
            entry.finallyLoc = locs[2];
            entry.afterLoc = locs[3];
          }
          this.tryEntries.push(entry);
        }
        function resetTryEntry(entry) {
          var record = entry.completion || {};
          record.type = "normal";
          delete record.arg;
          entry.completion = record;
        }
        function Context(tryLocsList) {
          this.tryEntries = [{ tryLoc: "root" }];
          tryLocsList.forEach(pushTryEntry, this);
          this.reset(true);
        }
        exports2.keys = function(val) {
          var object = Object(val);
          var keys = [];
          for (var key in object) {
            keys.push(key);
          }
          keys.reverse();
          return function next() {
            while (keys.length) {
              var key2 = keys.pop();
              if (key2 in object) {
                next.value = key2;
                next.done = false;
                return next;
              }
            }
            next.done = true;
            return next;
          };
        };
        function values(iterable) {
          if (iterable) {
            var iteratorMethod = iterable[iteratorSymbol];
            if (iteratorMethod) {
              return iteratorMethod.call(iterable);
            }
            if (typeof iterable.next === "function") {
              return iterable;
            }
            if (!isNaN(iterable.length)) {
              var i = -1, next = function next2() {
                while (++i < iterable.length) {
                  if (hasOwn.call(iterable, i)) {
                    next2.value = iterable[i];
                    next2.done = false;
                    return next2;
                  }
                }
                next2.value = undefined2;
                next2.done = true;
                return next2;
              };
              return next.next = next;
            }
          }
          return { next: doneResult };
        }
        exports2.values = values;
        function doneResult() {
          return { value: undefined2, done: true };
        }
        Context.prototype = {
          constructor: Context,
          reset: function(skipTempReset) {
            this.prev = 0;
            this.next = 0;
            this.sent = this._sent = undefined2;
            this.done = false;
            this.delegate = null;
            this.method = "next";
            this.arg = undefined2;
            this.tryEntries.forEach(resetTryEntry);
            if (!skipTempReset) {
              for (var name in this) {
                if (name.charAt(0) === "t" && hasOwn.call(this, name) && !isNaN(+name.slice(1))) {
                  this[name] = undefined2;
                }
              }
            }
          },
          stop: function() {
            this.done = true;
            var rootEntry = this.tryEntries[0];
            var rootRecord = rootEntry.completion;
            if (rootRecord.type === "throw") {
              throw rootRecord.arg;
            }
            return this.rval;
          },
          dispatchException: function(exception) {
            if (this.done) {
              throw exception;
            }
            var context = this;
            function handle(loc, caught) {
              record.type = "throw";
              record.arg = exception;
              context.next = loc;
              if (caught) {
                context.method = "next";
                context.arg = undefined2;
              }
              return !!caught;
            }
            for (var i = this.tryEntries.length - 1; i >= 0; --i) {
              var entry = this.tryEntries[i];
              var record = entry.completion;
              if (entry.tryLoc === "root") {
                return handle("end");
              }
              if (entry.tryLoc <= this.prev) {
                var hasCatch = hasOwn.call(entry, "catchLoc");
                var hasFinally = hasOwn.call(entry, "finallyLoc");
                if (hasCatch && hasFinally) {
                  if (this.prev < entry.catchLoc) {
                    return handle(entry.catchLoc, true);
                  } else if (this.prev < entry.finallyLoc) {
                    return handle(entry.finallyLoc);
                  }
                } else if (hasCatch) {
                  if (this.prev < entry.catchLoc) {
                    return handle(entry.catchLoc, true);
                  }
                } else if (hasFinally) {
                  if (this.prev < entry.finallyLoc) {
                    return handle(entry.finallyLoc);
                  }
                } else {
                  throw new Error("try statement without catch or finally");
                }
              }
            }
          },
          abrupt: function(type, arg) {
            for (var i = this.tryEntries.length - 1; i >= 0; --i) {
              var entry = this.tryEntries[i];
              if (entry.tryLoc <= this.prev && hasOwn.call(entry, "finallyLoc") && this.prev < entry.finallyLoc) {
                var finallyEntry = entry;
                break;
              }
            }
            if (finallyEntry && (type === "break" || type === "continue") && finallyEntry.tryLoc <= arg && arg <= finallyEntry.finallyLoc) {
              finallyEntry = null;
            }
            var record = finallyEntry ? finallyEntry.completion : {};
            record.type = type;
            record.arg = arg;
            if (finallyEntry) {
              this.method = "next";
              this.next = finallyEntry.finallyLoc;
              return ContinueSentinel;
            }
            return this.complete(record);
          },
          complete: function(record, afterLoc) {
            if (record.type === "throw") {
              throw record.arg;
            }
            if (record.type === "break" || record.type === "continue") {
              this.next = record.arg;
            } else if (record.type === "return") {
              this.rval = this.arg = record.arg;
              this.method = "return";
              this.next = "end";
            } else if (record.type === "normal" && afterLoc) {
              this.next = afterLoc;
            }
            return ContinueSentinel;
          },
          finish: function(finallyLoc) {
            for (var i = this.tryEntries.length - 1; i >= 0; --i) {
              var entry = this.tryEntries[i];
              if (entry.finallyLoc === finallyLoc) {
                this.complete(entry.completion, entry.afterLoc);
                resetTryEntry(entry);
                return ContinueSentinel;
              }
            }
          },
          "catch": function(tryLoc) {
            for (var i = this.tryEntries.length - 1; i >= 0; --i) {
              var entry = this.tryEntries[i];
              if (entry.tryLoc === tryLoc) {
                var record = entry.completion;
                if (record.type === "throw") {
                  var thrown = record.arg;
                  resetTryEntry(entry);
                }
                return thrown;
              }
            }
            throw new Error("illegal catch attempt");
          },
          delegateYield: function(iterable, resultName, nextLoc) {
            this.delegate = {
              iterator: values(iterable),
              resultName,
              nextLoc
            };
            if (this.method === "next") {
              this.arg = undefined2;
            }
            return ContinueSentinel;
          }
        };
        return exports2;
      })(
        // If this script is executing as a CommonJS module, use module.exports
        // as the regeneratorRuntime namespace. Otherwise create a new empty
        // object. Either way, the resulting object will be used to initialize
        // the regeneratorRuntime variable at the top of this file.
        typeof module === "object" ? module.exports : {}
      );
      try {
        regeneratorRuntime = runtime;
      } catch (accidentalStrictMode) {
        if (typeof globalThis === "object") {
          globalThis.regeneratorRuntime = runtime;
        } else {
          Function("r", "regeneratorRuntime = r")(runtime);
        }
      }
    }
  });

  // src/rtm/regenerator.js
  var import_regenerator_runtime = __toESM(require_regenerator_runtime());

  // src/rtm/codes.js
  var enumOf = (names) => Object.freeze(Object.fromEntries(names.map((n) => [n, n])));
  var ConnectionState = enumOf(["DISCONNECTED", "CONNECTING", "CONNECTED", "RECONNECTING", "ABORTED"]);
  var STATES = { 1: "DISCONNECTED", 2: "CONNECTING", 3: "CONNECTED", 4: "RECONNECTING", 5: "ABORTED" };
  var ConnectionChangeReason = enumOf(["LOGIN", "LOGIN_SUCCESS", "LOGIN_FAILURE", "LOGIN_TIMEOUT", "INTERRUPTED", "LOGOUT", "BANNED_BY_SERVER", "REMOTE_LOGIN", "TOKEN_EXPIRED"]);
  var REASONS = { 1: "LOGIN", 2: "LOGIN_SUCCESS", 3: "LOGIN_FAILURE", 4: "LOGIN_TIMEOUT", 5: "INTERRUPTED", 6: "LOGOUT", 7: "BANNED_BY_SERVER", 8: "REMOTE_LOGIN", 9: "TOKEN_EXPIRED", 100: "INTERRUPTED" };
  var PeerOnlineState = enumOf(["ONLINE", "UNREACHABLE", "OFFLINE"]);
  var PEER_STATES = { 0: "ONLINE", 1: "UNREACHABLE", 2: "OFFLINE" };
  var PeerSubscriptionOption = enumOf(["ONLINE_STATUS"]);
  var MessageType = enumOf(["TEXT", "RAW", "FILE", "IMAGE"]);
  var LocalInvitationState = enumOf(["IDLE", "SENT_TO_REMOTE", "RECEIVED_BY_REMOTE", "ACCEPTED_BY_REMOTE", "REFUSED_BY_REMOTE", "CANCELED", "FAILURE"]);
  var RemoteInvitationState = enumOf(["INVITATION_RECEIVED", "ACCEPT_SENT_TO_LOCAL", "REFUSED", "ACCEPTED", "CANCELED", "FAILURE"]);
  var LocalInvitationFailureReason = enumOf(["UNKNOWN", "PEER_NO_RESPONSE", "INVITATION_EXPIRE", "PEER_OFFLINE", "NOT_LOGGEDIN"]);
  var LOCAL_FAILURES = { 1: "UNKNOWN", 2: "PEER_NO_RESPONSE", 3: "INVITATION_EXPIRE", 4: "PEER_OFFLINE", 5: "NOT_LOGGEDIN" };
  var RemoteInvitationFailureReason = enumOf(["UNKNOWN", "PEER_OFFLINE", "ACCEPT_FAILURE", "INVITATION_EXPIRE"]);
  var REMOTE_FAILURES = { 1: "UNKNOWN", 2: "PEER_OFFLINE", 3: "ACCEPT_FAILURE", 4: "INVITATION_EXPIRE" };
  var RtmErrorCode = Object.freeze({
    LoginError: Object.freeze({
      LOGIN_ERR_UNKNOWN: 1,
      LOGIN_ERR_REJECTED: 2,
      LOGIN_ERR_INVALID_ARGUMENT: 3,
      LOGIN_ERR_INVALID_APP_ID: 4,
      LOGIN_ERR_INVALID_TOKEN: 5,
      LOGIN_ERR_TOKEN_EXPIRED: 6,
      LOGIN_ERR_NOT_AUTHORIZED: 7,
      LOGIN_ERR_ALREADY_LOGIN: 8,
      LOGIN_ERR_TIMEOUT: 9,
      LOGIN_ERR_TOO_OFTEN: 10
    }),
    LogoutError: Object.freeze({ LOGOUT_ERR_REJECTED: 1, LOGOUT_ERR_USER_NOT_LOGGED_IN: 102 }),
    RenewTokenError: Object.freeze({
      RENEW_TOKEN_ERR_FAILURE: 1,
      RENEW_TOKEN_ERR_INVALID_ARGUMENT: 2,
      RENEW_TOKEN_ERR_REJECTED: 3,
      RENEW_TOKEN_ERR_TOO_OFTEN: 4,
      RENEW_TOKEN_ERR_TOKEN_EXPIRED: 5,
      RENEW_TOKEN_ERR_INVALID_TOKEN: 6,
      RENEW_TOKEN_ERR_USER_NOT_LOGGED_IN: 102
    }),
    PeerMessageError: Object.freeze({
      PEER_MESSAGE_ERR_FAILURE: 1,
      PEER_MESSAGE_ERR_TIMEOUT: 2,
      PEER_MESSAGE_ERR_PEER_UNREACHABLE: 3,
      PEER_MESSAGE_ERR_CACHED_BY_SERVER: 4,
      PEER_MESSAGE_ERR_TOO_OFTEN: 5,
      PEER_MESSAGE_ERR_INVALID_USERID: 6,
      PEER_MESSAGE_ERR_INVALID_MESSAGE: 7,
      PEER_MESSAGE_ERR_INCOMPATIBLE_MESSAGE: 8,
      PEER_MESSAGE_ERR_USER_NOT_LOGGED_IN: 102
    }),
    JoinChannelError: Object.freeze({
      JOIN_CHANNEL_ERR_FAILURE: 1,
      JOIN_CHANNEL_ERR_REJECTED: 2,
      JOIN_CHANNEL_ERR_INVALID_ARGUMENT: 3,
      JOIN_CHANNEL_TIMEOUT: 4,
      JOIN_CHANNEL_ERR_EXCEED_LIMIT: 5,
      JOIN_CHANNEL_ERR_ALREADY_JOINED: 6,
      JOIN_CHANNEL_ERR_TOO_OFTEN: 7,
      JOIN_SAME_CHANNEL_ERR_TOO_OFTEN: 8,
      JOIN_CHANNEL_ERR_USER_NOT_LOGGED_IN: 102
    }),
    LeaveChannelError: Object.freeze({
      LEAVE_CHANNEL_ERR_FAILURE: 1,
      LEAVE_CHANNEL_ERR_REJECTED: 2,
      LEAVE_CHANNEL_ERR_NOT_IN_CHANNEL: 3,
      LEAVE_CHANNEL_ERR_USER_NOT_LOGGED_IN: 102
    }),
    ChannelMessageError: Object.freeze({
      CHANNEL_MESSAGE_ERR_FAILURE: 1,
      CHANNEL_MESSAGE_ERR_TIMEOUT: 2,
      CHANNEL_MESSAGE_ERR_TOO_OFTEN: 3,
      CHANNEL_MESSAGE_ERR_INVALID_MESSAGE: 4,
      CHANNEL_MESSAGE_ERR_USER_NOT_LOGGED_IN: 102
    }),
    GetMembersError: Object.freeze({
      GET_MEMBERS_ERR_FAILURE: 1,
      GET_MEMBERS_ERR_REJECTED: 2,
      GET_MEMBERS_ERR_TIMEOUT: 3,
      GET_MEMBERS_ERR_TOO_OFTEN: 4,
      GET_MEMBERS_ERR_NOT_IN_CHANNEL: 5,
      GET_MEMBERS_ERR_USER_NOT_LOGGED_IN: 102
    }),
    AttributeOperationError: Object.freeze({
      ATTRIBUTE_OPERATION_ERR_NOT_READY: 1,
      ATTRIBUTE_OPERATION_ERR_FAILURE: 2,
      ATTRIBUTE_OPERATION_ERR_INVALID_ARGUMENT: 3,
      ATTRIBUTE_OPERATION_ERR_SIZE_OVERFLOW: 4,
      ATTRIBUTE_OPERATION_ERR_TOO_OFTEN: 5,
      ATTRIBUTE_OPERATION_ERR_USER_NOT_FOUND: 6,
      ATTRIBUTE_OPERATION_ERR_TIMEOUT: 7,
      ATTRIBUTE_OPERATION_ERR_USER_NOT_LOGGED_IN: 102,
      ATTRIBUTE_OPERATION_ERR_REVISION_CONFLICT: 200
    }),
    GetChannelMemberCountError: Object.freeze({
      GET_CHANNEL_MEMBER_COUNT_ERR_FAILURE: 1,
      GET_CHANNEL_MEMBER_COUNT_ERR_INVALID_ARGUMENT: 2,
      GET_CHANNEL_MEMBER_COUNT_ERR_TOO_OFTEN: 3,
      GET_CHANNEL_MEMBER_COUNT_ERR_TIMEOUT: 4,
      GET_CHANNEL_MEMBER_COUNT_ERR_EXCEED_LIMIT: 5,
      GET_CHANNEL_MEMBER_COUNT_ERR_USER_NOT_LOGGED_IN: 102
    }),
    QueryPeersOnlineStatusError: Object.freeze({
      QUERY_PEERS_ONLINE_STATUS_ERR_FAILURE: 1,
      QUERY_PEERS_ONLINE_STATUS_ERR_INVALID_ARGUMENT: 2,
      QUERY_PEERS_ONLINE_STATUS_ERR_REJECTED: 3,
      QUERY_PEERS_ONLINE_STATUS_ERR_TIMEOUT: 4,
      QUERY_PEERS_ONLINE_STATUS_ERR_TOO_OFTEN: 5,
      QUERY_PEERS_ONLINE_STATUS_ERR_USER_NOT_LOGGED_IN: 102
    }),
    PeerSubscriptionStatusError: Object.freeze({
      PEER_SUBSCRIPTION_STATUS_ERR_FAILURE: 1,
      PEER_SUBSCRIPTION_STATUS_ERR_INVALID_ARGUMENT: 2,
      PEER_SUBSCRIPTION_STATUS_ERR_REJECTED: 3,
      PEER_SUBSCRIPTION_STATUS_ERR_TIMEOUT: 4,
      PEER_SUBSCRIPTION_STATUS_ERR_TOO_OFTEN: 5,
      PEER_SUBSCRIPTION_STATUS_ERR_OVERFLOW: 6,
      PEER_SUBSCRIPTION_STATUS_ERR_USER_NOT_LOGGED_IN: 102
    })
  });
  var RtmError = class extends Error {
    constructor(code, message, name, data) {
      super(message || name || `RTM error ${code}`);
      this.code = code;
      this.name = name ? `RtmError ${name}` : "RtmError";
      this.data = data;
    }
  };
  var NOT_LOGGED_IN = 102;
  var fail = (code, message, name) => new RtmError(code, message, name);

  // src/rtm/config.js
  function checkConfig(config) {
    if (!config) return;
    if (config.enableLogUpload) throw fail(1, "cohost does not upload logs: they are in the browser's console", "NOT_SUPPORTED");
    if (config.enableCloudProxy) throw fail(1, "cohost does not support Agora's cloud proxy", "NOT_SUPPORTED");
  }

  // src/rtm/log.js
  var logFilter = 1;
  function setLogFilter(level) {
    logFilter = level;
  }
  var log = {
    debug: (...a) => logFilter >= 4 && console.debug("[cohost-rtm]", ...a),
    info: (...a) => logFilter >= 3 && console.info("[cohost-rtm]", ...a),
    warn: (...a) => logFilter >= 2 && console.warn("[cohost-rtm]", ...a),
    error: (...a) => logFilter >= 1 && console.error("[cohost-rtm]", ...a)
  };

  // src/rtm/emitter.js
  var EventEmitter = class {
    constructor() {
      this._events = /* @__PURE__ */ new Map();
    }
    on(event, listener) {
      if (typeof listener !== "function") throw fail(3, "listener must be a function", "INVALID_ARGUMENT");
      if (!this._events.has(event)) this._events.set(event, []);
      this._events.get(event).push({ listener, once: false });
      return this;
    }
    once(event, listener) {
      this.on(event, listener);
      const l = this._events.get(event);
      l[l.length - 1].once = true;
      return this;
    }
    off(event, listener) {
      const l = this._events.get(event);
      if (l) {
        const i = l.findIndex((e) => e.listener === listener);
        if (i >= 0) l.splice(i, 1);
      }
      return this;
    }
    removeAllListeners(event) {
      if (event === void 0) this._events.clear();
      else this._events.delete(event);
      return this;
    }
    listeners(event) {
      return (this._events.get(event) || []).map((e) => e.listener);
    }
    rawListeners(event) {
      return this.listeners(event);
    }
    listenerCount(event) {
      return (this._events.get(event) || []).length;
    }
    emit(event, ...args) {
      const l = this._events.get(event);
      if (!l) return;
      for (const e of l.slice()) {
        if (e.once) this.off(event, e.listener);
        try {
          e.listener(...args);
        } catch (err2) {
          log.error(`a "${event}" listener threw`, err2);
        }
      }
    }
  };
  var ID_RE = /^[a-zA-Z0-9 !#$%&()+\-:;<=.>?@[\]^_{}|~,]{1,64}$/;
  var validId = (id) => typeof id === "string" && ID_RE.test(id) && id !== "null";

  // src/rtm/messages.js
  function toBase64(bytes) {
    let s = "";
    for (let i = 0; i < bytes.length; i += 32768) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 32768));
    return btoa(s);
  }
  function fromBase64(b64) {
    const s = atob(b64 || "");
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
    return out;
  }
  var MEDIA_TYPES = { FILE: 3, IMAGE: 4 };
  function wireMessage(message, invalidCode) {
    if (!message || typeof message !== "object") throw fail(invalidCode, "the message must be {text} or {rawMessage, description}", "INVALID_MESSAGE");
    if (message.messageType === "FILE" || message.messageType === "IMAGE") {
      if (typeof message.mediaId !== "string" || !message.mediaId) throw fail(invalidCode, "a FILE or IMAGE message needs its mediaId", "INVALID_MESSAGE");
      if (message.thumbnail && !message._thumbnail) {
        throw fail(invalidCode, "create FILE and IMAGE messages with createMediaMessageByUploading or createMediaMessageByMediaId", "INVALID_MESSAGE");
      }
      const media = { mediaId: message.mediaId, size: message.size || 0, fileName: message.fileName || "" };
      if (message._thumbnail && message._thumbnail.length) media.thumbnail = toBase64(message._thumbnail);
      if (message.messageType === "IMAGE") {
        Object.assign(media, { width: message.width || 0, height: message.height || 0, thumbnailWidth: message.thumbnailWidth || 0, thumbnailHeight: message.thumbnailHeight || 0 });
      }
      return { type: MEDIA_TYPES[message.messageType], description: message.description || "", media };
    }
    if (message.messageType === "RAW" || message.rawMessage !== void 0) {
      if (!(message.rawMessage instanceof Uint8Array)) throw fail(invalidCode, "rawMessage must be a Uint8Array", "INVALID_MESSAGE");
      return { type: 2, raw: toBase64(message.rawMessage), description: message.description || "" };
    }
    if (typeof message.text !== "string") throw fail(invalidCode, "text must be a string", "INVALID_MESSAGE");
    return { type: 1, text: message.text };
  }
  function appMessage(m) {
    if ((m.type === MEDIA_TYPES.FILE || m.type === MEDIA_TYPES.IMAGE) && m.media) return mediaMessage(m.type === MEDIA_TYPES.FILE ? "FILE" : "IMAGE", m.media, m.description || "", m.media.thumbnail ? fromBase64(m.media.thumbnail) : null);
    if (m.type === 2) return { messageType: "RAW", rawMessage: fromBase64(m.raw), description: m.description || "" };
    return { messageType: "TEXT", text: m.text || "" };
  }
  function attributeMap(list, full) {
    const out = {};
    for (const a of list || []) {
      out[a.key] = full ? { value: a.value, lastUpdateUserId: a.lastUpdateUserId || "", lastUpdateTs: a.lastUpdateTs || 0, revision: a.revision || 0 } : a.value;
    }
    return out;
  }
  function attributeList(map, code) {
    if (!map || typeof map !== "object") throw fail(code, "attributes must be an object of string values", "INVALID_ARGUMENT");
    return Object.keys(map).map((key) => {
      if (typeof map[key] !== "string") throw fail(code, `attribute ${key} must be a string`, "INVALID_ARGUMENT");
      return { key, value: map[key] };
    });
  }
  function mediaMessage(type, media, description, thumb) {
    const m = {
      messageType: type,
      mediaId: media.mediaId,
      size: media.size || 0,
      fileName: media.fileName || "",
      description: description || "",
      thumbnail: thumb && thumb.length ? new Blob([thumb]) : void 0
    };
    if (type === "IMAGE") {
      Object.assign(m, { width: media.width || 0, height: media.height || 0, thumbnailWidth: media.thumbnailWidth || 0, thumbnailHeight: media.thumbnailHeight || 0 });
    }
    Object.defineProperty(m, "_thumbnail", { value: thumb || null, enumerable: false });
    return m;
  }

  // src/rtm/channel.js
  var RtmChannel = class extends EventEmitter {
    constructor(client, channelId) {
      super();
      this.channelId = channelId;
      this._client = client;
      this._joined = false;
    }
    async join() {
      this._client._check(3);
      if (this._joined) throw fail(6, `already joined ${this.channelId}`, "ALREADY_JOINED");
      await this._client._request("join-channel", { channelId: this.channelId }, 1);
      this._joined = true;
    }
    async leave() {
      this._client._check(3);
      if (!this._joined) throw fail(3, `not in ${this.channelId}`, "NOT_IN_CHANNEL");
      this._joined = false;
      await this._client._request("leave-channel", { channelId: this.channelId }, 1);
    }
    async sendMessage(message) {
      this._client._check(1);
      const m = wireMessage(message, 4);
      await this._client._request("send-channel-message", { channelId: this.channelId, message: m }, 2);
    }
    async getMembers() {
      this._client._check(1);
      const r = await this._client._request("get-members", { channelId: this.channelId }, 3);
      return r.members || [];
    }
  };

  // src/rtm/compat.js
  var notSupported = () => Promise.reject(fail(1, "cohost does not support RTM metadata: use channel and user attributes", "NOT_SUPPORTED"));
  var clientMetadata = {
    createMetadataItem() {
      const item = { key: "", value: "", revision: -1, lastUpdateTs: 0, lastUpdateUserId: "" };
      return Object.assign(item, {
        setKey(key) {
          item.key = key;
        },
        setValue(value) {
          item.value = value;
        },
        setRevision(revision) {
          item.revision = revision;
        }
      });
    },
    getUserMetadata: notSupported,
    setLocalUserMetadata: notSupported,
    addLocalUserMetadata: notSupported,
    updateLocalUserMetadata: notSupported,
    deleteLocalUserMetadata: notSupported,
    clearLocalUserMetadata: notSupported,
    subscribeUserMetadata: notSupported,
    unsubscribeUserMetadata: notSupported
  };
  var channelMetadata = {
    getChannelMetadata: notSupported,
    setChannelMetadata: notSupported,
    addChannelMetadata: notSupported,
    updateChannelMetadata: notSupported,
    deleteChannelMetadata: notSupported,
    clearChannelMetadata: notSupported
  };
  function install(cls, source) {
    Object.defineProperties(cls.prototype, Object.getOwnPropertyDescriptors(source));
  }

  // src/shared/connection.js
  var Connection = class {
    /**
     * @param {string} url
     * @param {ConnectionOptions} opts
     */
    constructor(url, opts) {
      this.url = url;
      this.onEvent = opts.onEvent;
      this.onClose = opts.onClose;
      this.errors = opts.errors;
      this.requestTimeoutMs = opts.requestTimeoutMs;
      this.onUndecodable = opts.onUndecodable;
      this.ws = null;
      this.nextId = 1;
      this.pending = /* @__PURE__ */ new Map();
      this.closed = false;
    }
    /**
     * open connects; it rejects if the server does not accept within timeoutMs.
     * @param {number} [timeoutMs]
     * @returns {Promise<void>}
     */
    open(timeoutMs) {
      return new Promise((resolve, reject) => {
        let ws;
        try {
          ws = new WebSocket(this.url);
        } catch (e) {
          reject(this.errors.openFailed(this.url, String(e && e.message || e)));
          return;
        }
        this.ws = ws;
        let opened = false;
        const timer = setTimeout(() => {
          if (!opened) {
            ws.close();
            reject(this.errors.noAnswer(this.url));
          }
        }, timeoutMs || 1e4);
        ws.onopen = () => {
          opened = true;
          clearTimeout(timer);
          resolve();
        };
        ws.onmessage = (ev) => this._onMessage(ev.data);
        ws.onclose = (ev) => {
          clearTimeout(timer);
          const first = !this.closed;
          this.closed = true;
          this.failPending((tag) => this.errors.closed(ev, tag));
          if (!opened) reject(this.errors.refused(this.url));
          else if (first && this.onClose) this.onClose(this, ev);
        };
        ws.onerror = () => {
        };
      });
    }
    /**
     * failPending rejects every request waiting for a response.
     * @param {(tag: any) => Error} err
     */
    failPending(err2) {
      for (const [, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(err2(p.tag));
      }
      this.pending.clear();
    }
    /** @param {any} text */
    _onMessage(text) {
      let env;
      try {
        env = JSON.parse(text);
      } catch (e) {
        if (this.onUndecodable) this.onUndecodable("undecodable message from the server", text);
        return;
      }
      if (env.type === "response") {
        const p = this.pending.get(env.id);
        if (!p) return;
        this.pending.delete(env.id);
        clearTimeout(p.timer);
        if (env.error) p.reject(this.errors.server(env.error));
        else p.resolve(env.data === void 0 ? {} : env.data);
        return;
      }
      if (this.onEvent) this.onEvent(this, env.type, env.data || {}, env.seq);
    }
    /**
     * request sends a request and resolves with the response's data.
     * @param {string} type
     * @param {any} [data]
     * @param {number} [timeoutMs]
     * @param {any} [tag] handed to the error factory if the request fails without an answer
     * @returns {Promise<any>}
     */
    request(type, data, timeoutMs, tag) {
      const ws = this.ws;
      if (this.closed || !ws || ws.readyState !== WebSocket.OPEN) {
        return Promise.reject(this.errors.notConnected(type, tag));
      }
      const id = this.nextId++;
      const env = { id, type };
      if (data !== void 0) env.data = data;
      const wait = timeoutMs || this.requestTimeoutMs;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          this.pending.delete(id);
          reject(this.errors.timeout(type, wait, tag));
        }, wait);
        this.pending.set(id, { resolve, reject, timer, tag });
        ws.send(JSON.stringify(env));
      });
    }
    /**
     * send sends a message that expects no response (best effort).
     * @param {string} type
     * @param {any} [data]
     * @param {boolean} [withId] give it a request id (the server answers; nobody waits)
     */
    send(type, data, withId) {
      const ws = this.ws;
      if (!ws || ws.readyState !== WebSocket.OPEN) return;
      const env = withId ? { id: this.nextId++, type } : { type };
      if (data !== void 0) env.data = data;
      try {
        ws.send(JSON.stringify(env));
      } catch (e) {
      }
    }
    /**
     * close closes the connection without calling onClose; requests still
     * pending fail.
     * @param {number} [code]
     * @param {string} [reason]
     */
    close(code, reason) {
      this.onClose = null;
      this.closed = true;
      if (!this.ws) return;
      try {
        this.ws.close(code || 1e3, reason || "");
      } catch (e) {
      }
    }
  };

  // src/shared/server-url.js
  var ServerLocator = class {
    /**
     * @param {string} path the WebSocket endpoint's path, e.g. "/v1/signal"
     * @param {() => Error} missing the error when no server can be found
     */
    constructor(path, missing) {
      this.path = path;
      this.missing = missing;
      this.overrides = [];
      this.scriptURL = "";
      this.moduleURL = "";
    }
    /** @param {string} url the URL of the classic script (document.currentScript.src) */
    setScriptURL(url) {
      this.scriptURL = url || "";
    }
    /** @param {string} url the URL of the ES module (import.meta.url), kept if no script URL is known */
    setModuleURL(url) {
      if (!this.scriptURL && !this.moduleURL) this.moduleURL = url || "";
    }
    /**
     * setServerURL sets the server, or the servers in the order they are
     * tried; an empty value goes back to the default.
     * @param {string | string[]} [url]
     */
    setServerURL(url) {
      const list = (Array.isArray(url) ? url : [url]).filter((x) => x !== void 0 && x !== null && x !== "");
      this.overrides = list.map((x) => {
        const u = new URL(String(x), typeof location !== "undefined" ? location.href : void 0);
        return u.origin + u.pathname.replace(/\/$/, "");
      });
    }
    /** bases are the HTTP(S) base URLs of the servers, in the order they are tried. */
    bases() {
      return this.overrides.length ? this.overrides.slice() : [this.base()];
    }
    /** base is the HTTP(S) base URL of the (first) server. */
    base() {
      if (this.overrides.length) return this.overrides[0];
      const src = [this.scriptURL, this.moduleURL].find((u) => /^https?:/.test(u));
      if (src) {
        const u = new URL(src);
        const i = u.pathname.lastIndexOf("/sdk/");
        return u.origin + (i > 0 ? u.pathname.slice(0, i) : "");
      }
      if (typeof location !== "undefined" && /^https?:$/.test(location.protocol)) return location.origin;
      throw this.missing();
    }
    /** wsURLs are the WebSocket URLs of the SDK's endpoint on each server, in order. */
    wsURLs() {
      return this.bases().map((b) => this.wsURL(b));
    }
    /**
     * wsURL is the WebSocket URL of the SDK's endpoint on base (the first
     * server by default).
     * @param {string} [base]
     */
    wsURL(base) {
      const u = new URL(base || this.base());
      u.protocol = u.protocol === "https:" || u.protocol === "wss:" ? "wss:" : "ws:";
      u.pathname = u.pathname.replace(/\/$/, "") + this.path;
      u.search = "";
      u.hash = "";
      return u.toString();
    }
  };

  // src/rtm/connection.js
  var PROTOCOL_VERSION = 1;
  var RTM_PATH = "/v1/rtm";
  var REQUEST_TIMEOUT_MS = 15e3;
  var PEER_MESSAGE_TIMEOUT_MS = 2e4;
  var locator = new ServerLocator(RTM_PATH, () => new RtmError(101, "no cohost server URL: call AgoraRTM.setServerURL(url) first"));
  var errors = {
    openFailed: (url, detail) => fail(9, `cannot open ${url}: ${detail}`, "TIMEOUT"),
    noAnswer: (url) => fail(9, `no answer from ${url}`, "TIMEOUT"),
    refused: (url) => fail(9, `cannot connect to ${url}`, "TIMEOUT"),
    closed: (ev, failCode) => fail(failCode, "the connection to the server closed", "NETWORK_ERROR"),
    notConnected: (type, failCode) => fail(failCode, `not connected (${type})`, "NOT_CONNECTED"),
    timeout: (type, ms, failCode) => fail(failCode, `no response to ${type}`, "TIMEOUT"),
    server: (e) => new RtmError(e.code, e.message, e.name, e.reason ? { reason: e.reason } : void 0)
  };
  var Conn = class extends Connection {
    /**
     * @param {(conn: Connection, type: string, data: any) => void} onEvent
     * @param {(conn: Connection) => void} onClose
     * @param {string} url the server's WebSocket URL
     */
    constructor(onEvent, onClose, url) {
      super(url, { onEvent, onClose, errors, requestTimeoutMs: REQUEST_TIMEOUT_MS });
    }
    /**
     * request sends a request; failCode is the operation's code for a
     * failure without a server answer (timeout, closed connection).
     * @param {string} type
     * @param {any} data
     * @param {number} failCode
     * @param {number} [timeoutMs]
     */
    // @ts-ignore: RTM's argument order (failCode before the timeout)
    request(type, data, failCode, timeoutMs) {
      return super.request(type, data, timeoutMs, failCode);
    }
  };

  // src/rtm/media.js
  var MEDIA_PATH = "/v1/rtm/media";
  var MAX_SIZE = 30 << 20;
  var MAX_AT_ONCE = 9;
  var MAX_META = 32 << 10;
  var TIMEOUT_MS = 10 * 60 * 1e3;
  var UPLOAD = { name: "UPLOAD_MEDIA_ERR", FAILURE: 1, INVALID_ARGUMENT: 2, TIMEOUT: 3, SIZE_OVERFLOW: 4, CONCURRENCY_LIMIT_EXCEEDED: 5, INTERRUPTED: 6, NOT_LOGGED_IN };
  var DOWNLOAD = { name: "DOWNLOAD_MEDIA_ERR", FAILURE: 1, INVALID_ARGUMENT: 2, TIMEOUT: 3, NOT_EXIST: 4, CONCURRENCY_LIMIT_EXCEEDED: 5, INTERRUPTED: 6, NOT_LOGGED_IN };
  var err = (kind, what, message) => new RtmError(kind[what], message, `${kind.name}_${what}`);
  function transfer(client, kind, method, path, body, handler) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, locator.base() + MEDIA_PATH + path);
      xhr.responseType = method === "GET" ? "blob" : "json";
      xhr.timeout = TIMEOUT_MS;
      xhr.setRequestHeader("Authorization", "Bearer " + client._sessionId);
      xhr.setRequestHeader("X-Cohost-App", client._appId);
      xhr.setRequestHeader("X-Cohost-User", client._userId);
      const signal = handler && handler.cancelSignal;
      const progress = handler && handler.onOperationProgress;
      if (progress) {
        const target = method === "GET" ? xhr : xhr.upload;
        target.onprogress = (ev) => progress({ currentSize: ev.loaded, totalSize: ev.lengthComputable ? ev.total : 0 });
      }
      const onAbort = () => xhr.abort();
      if (signal) {
        if (signal.aborted) {
          reject(err(kind, "INTERRUPTED", "cancelled"));
          return;
        }
        signal.addEventListener("abort", onAbort, { once: true });
      }
      const done = () => signal && signal.removeEventListener("abort", onAbort);
      xhr.onload = async () => {
        done();
        if (xhr.status >= 200 && xhr.status < 300) {
          resolve(xhr.response);
          return;
        }
        let e = xhr.response;
        if (e instanceof Blob) {
          try {
            e = JSON.parse(await e.text());
          } catch (x) {
            e = null;
          }
        }
        reject(e && e.code ? new RtmError(e.code, e.message, e.name) : err(kind, "FAILURE", `HTTP ${xhr.status}`));
      };
      xhr.onerror = () => {
        done();
        reject(err(kind, "FAILURE", "the request to the media store failed"));
      };
      xhr.ontimeout = () => {
        done();
        reject(err(kind, "TIMEOUT", "the transfer took too long"));
      };
      xhr.onabort = () => {
        done();
        reject(err(kind, "INTERRUPTED", "cancelled"));
      };
      xhr.send(body);
    });
  }
  async function bytesOf(blob) {
    return blob ? new Uint8Array(await blob.arrayBuffer()) : null;
  }
  function checkMeta(kind, thumb, params) {
    const n = (thumb ? thumb.length : 0) + new TextEncoder().encode(params.fileName || "").length + new TextEncoder().encode(params.description || "").length;
    if (n > MAX_META) throw err(kind, "SIZE_OVERFLOW", `thumbnail, file name and description are ${n} bytes, over the limit of ${MAX_META}`);
  }
  function messageType(kind, params) {
    const t = params.messageType || "FILE";
    if (t !== "FILE" && t !== "IMAGE") throw err(kind, "INVALID_ARGUMENT", `messageType must be "FILE" or "IMAGE"`);
    return t;
  }
  var clientMedia = {
    // createMediaMessageByUploading uploads payload (a Blob or File) and
    // resolves with the FILE or IMAGE message that refers to it.
    async createMediaMessageByUploading(payload, params, transHandler) {
      this._check(UPLOAD.NOT_LOGGED_IN);
      params = params || {};
      if (!(payload instanceof Blob)) throw err(UPLOAD, "INVALID_ARGUMENT", "payload must be a Blob or a File");
      if (payload.size === 0) throw err(UPLOAD, "INVALID_ARGUMENT", "payload is empty");
      if (payload.size > MAX_SIZE) throw err(UPLOAD, "SIZE_OVERFLOW", `${payload.size} bytes, over the limit of ${MAX_SIZE}`);
      const type = messageType(UPLOAD, params);
      const thumb = await bytesOf(params.thumbnail);
      checkMeta(UPLOAD, thumb, params);
      if ((this._uploads || 0) >= MAX_AT_ONCE) throw err(UPLOAD, "CONCURRENCY_LIMIT_EXCEEDED", `already ${MAX_AT_ONCE} uploads at once`);
      this._uploads = (this._uploads || 0) + 1;
      try {
        const r = await transfer(this, UPLOAD, "POST", "", payload, transHandler);
        const fileName = params.fileName !== void 0 ? params.fileName : payload instanceof File ? payload.name : "";
        return mediaMessage(type, Object.assign({}, params, { mediaId: r.mediaId, size: r.size, fileName }), params.description, thumb);
      } finally {
        this._uploads--;
      }
    },
    // createMediaMessageByMediaId makes the message of an earlier upload
    // (the store keeps uploads seven days); it checks that the upload exists.
    async createMediaMessageByMediaId(mediaId, params) {
      this._check(UPLOAD.NOT_LOGGED_IN);
      params = params || {};
      if (typeof mediaId !== "string" || !/^[0-9a-f]{32}$/.test(mediaId)) throw err(UPLOAD, "INVALID_ARGUMENT", `invalid media id ${JSON.stringify(mediaId)}`);
      const type = messageType(UPLOAD, params);
      const thumb = await bytesOf(params.thumbnail);
      checkMeta(UPLOAD, thumb, params);
      const size = await new Promise((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open("HEAD", locator.base() + MEDIA_PATH + "/" + mediaId);
        xhr.setRequestHeader("Authorization", "Bearer " + this._sessionId);
        xhr.setRequestHeader("X-Cohost-App", this._appId);
        xhr.setRequestHeader("X-Cohost-User", this._userId);
        xhr.onload = () => xhr.status === 200 ? resolve(Number(xhr.getResponseHeader("Content-Length")) || 0) : reject(xhr.status === 404 ? err(DOWNLOAD, "NOT_EXIST", `no media ${mediaId} (or it expired)`) : err(UPLOAD, "FAILURE", `HTTP ${xhr.status}`));
        xhr.onerror = () => reject(err(UPLOAD, "FAILURE", "the request to the media store failed"));
        xhr.send();
      });
      return mediaMessage(type, Object.assign({}, params, { mediaId, size }), params.description, thumb);
    },
    // downloadMedia resolves with the uploaded file as a Blob.
    async downloadMedia(mediaId, transHandler) {
      this._check(DOWNLOAD.NOT_LOGGED_IN);
      if (typeof mediaId !== "string" || !/^[0-9a-f]{32}$/.test(mediaId)) throw err(DOWNLOAD, "INVALID_ARGUMENT", `invalid media id ${JSON.stringify(mediaId)}`);
      if ((this._downloads || 0) >= MAX_AT_ONCE) throw err(DOWNLOAD, "CONCURRENCY_LIMIT_EXCEEDED", `already ${MAX_AT_ONCE} downloads at once`);
      this._downloads = (this._downloads || 0) + 1;
      try {
        return await transfer(this, DOWNLOAD, "GET", "/" + mediaId, null, transHandler);
      } finally {
        this._downloads--;
      }
    }
  };

  // src/shared/backoff.js
  var Backoff = class {
    /**
     * @param {{initialMs?: number, maxMs?: number, random?: () => number}} [opts]
     */
    constructor(opts) {
      const o = opts || {};
      this.initialMs = o.initialMs || 100;
      this.maxMs = o.maxMs || 2e3;
      this.random = o.random || Math.random;
      this.attempt = 0;
    }
    /** step is the upper bound of the delay after the given number of failed attempts. */
    step(attempt) {
      return Math.min(this.maxMs, this.initialMs * Math.pow(2, attempt));
    }
    /** next returns the delay before the next attempt, in milliseconds. */
    next() {
      const d = this.step(this.attempt);
      this.attempt++;
      return d / 2 + this.random() * (d / 2);
    }
    reset() {
      this.attempt = 0;
    }
  };
  var sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  async function retry(attempt, keepGoing, backoff) {
    const b = backoff || new Backoff();
    while (keepGoing()) {
      if (await attempt()) return true;
      if (!keepGoing()) break;
      await sleep(b.next());
    }
    return false;
  }

  // src/shared/failover.js
  async function openFirst(urls, open, backoff, keepGoing) {
    let last;
    for (let i = 0; i < urls.length; i++) {
      if (i > 0) await sleep(backoff.next());
      if (i > 0 && !keepGoing()) break;
      try {
        return { url: urls[i], conn: await open(urls[i]) };
      } catch (e) {
        last = e;
      }
    }
    throw last;
  }
  function rotate(urls, first) {
    const i = urls.indexOf(first);
    return i <= 0 ? urls : [...urls.slice(i), ...urls.slice(0, i)];
  }

  // src/rtm/invitations.js
  var invitationCounter = 0;
  var LocalInvitation = class extends EventEmitter {
    constructor(client, calleeId) {
      super();
      this._client = client;
      this.calleeId = calleeId;
      this.content = "";
      this.channelId = "";
      this.response = "";
      this.state = "IDLE";
      this._id = `${Date.now().toString(36)}-${++invitationCounter}`;
    }
    send() {
      if (this.state !== "IDLE" && this.state !== "CANCELED" && this.state !== "FAILURE" && this.state !== "REFUSED_BY_REMOTE" && this.state !== "ACCEPTED_BY_REMOTE") {
        throw fail(3, `the invitation is ${this.state}`, "INVALID_STATE");
      }
      if (this._client._state !== "CONNECTED" && this._client._state !== "RECONNECTING") {
        this.state = "FAILURE";
        setTimeout(() => this.emit("LocalInvitationFailure", "NOT_LOGGEDIN"), 0);
        return;
      }
      this._id = `${Date.now().toString(36)}-${++invitationCounter}`;
      this._client._invitations.set(this._id, this);
      const req = { invitationId: this._id, calleeId: this.calleeId };
      if (this.content) req.content = String(this.content);
      if (this.channelId) req.channelId = String(this.channelId);
      this._client._request("send-local-invitation", req, 1).then(
        () => {
          if (this.state === "IDLE" || this.state === "CANCELED" || this.state === "FAILURE" || this.state === "REFUSED_BY_REMOTE" || this.state === "ACCEPTED_BY_REMOTE") this.state = "SENT_TO_REMOTE";
        },
        (e) => {
          this.state = "FAILURE";
          this._client._invitations.delete(this._id);
          this.emit("LocalInvitationFailure", e.code === NOT_LOGGED_IN ? "NOT_LOGGEDIN" : "UNKNOWN");
        }
      );
    }
    cancel() {
      if (!this._client._invitations.has(this._id)) throw fail(3, "the invitation is not pending", "INVALID_STATE");
      this._client._request("cancel-local-invitation", { invitationId: this._id }, 1).then(
        () => {
          this.state = "CANCELED";
          this._client._invitations.delete(this._id);
          this.emit("LocalInvitationCanceled");
        },
        (e) => log.warn("cancel failed", e)
      );
    }
  };
  var RemoteInvitation = class extends EventEmitter {
    constructor(client, d) {
      super();
      this._client = client;
      this._id = d.invitationId;
      this.callerId = d.callerId;
      this.content = d.content || "";
      this.channelId = d.channelId || "";
      this.response = "";
      this.state = "INVITATION_RECEIVED";
    }
    _answer(type, next, done, event) {
      if (this.state !== "INVITATION_RECEIVED") throw fail(3, `the invitation is ${this.state}`, "INVALID_STATE");
      if (next) this.state = next;
      const req = { invitationId: this._id, callerId: this.callerId };
      if (this.response) req.response = String(this.response);
      this._client._request(type, req, 1).then(
        () => {
          this.state = done;
          this._client._remote.delete(this._key());
          this.emit(event);
        },
        (e) => {
          this.state = "FAILURE";
          this._client._remote.delete(this._key());
          this.emit("RemoteInvitationFailure", REMOTE_FAILURES[e.data && e.data.reason || 0] || (e.code === 3 ? "INVITATION_EXPIRE" : "UNKNOWN"));
        }
      );
    }
    _key() {
      return `${this.callerId}/${this._id}`;
    }
    accept() {
      this._answer("accept-remote-invitation", "ACCEPT_SENT_TO_LOCAL", "ACCEPTED", "RemoteInvitationAccepted");
    }
    refuse() {
      this._answer("refuse-remote-invitation", null, "REFUSED", "RemoteInvitationRefused");
    }
  };

  // src/rtm/client.js
  var RtmClient = class extends EventEmitter {
    constructor(appId, config) {
      super();
      this._appId = appId;
      this._config = config || {};
      this._state = "DISCONNECTED";
      this._conn = null;
      this._userId = "";
      this._token = "";
      this._sessionId = "";
      this._serverURL = "";
      this._keepAliveMs = 2e3;
      this._pingTimer = null;
      this._channels = /* @__PURE__ */ new Map();
      this._watching = /* @__PURE__ */ new Set();
      this._userAttrs = null;
      this._invitations = /* @__PURE__ */ new Map();
      this._remote = /* @__PURE__ */ new Map();
      this._reconnecting = false;
      this._waiters = [];
    }
    get connectionState() {
      return this._state;
    }
    _setState(state, reason) {
      if (state === this._state) return;
      this._state = state;
      if (state !== "RECONNECTING" && state !== "CONNECTING") {
        const w = this._waiters;
        this._waiters = [];
        for (const f of w) f(state === "CONNECTED");
      }
      this.emit("ConnectionStateChanged", state, reason);
    }
    _check(code) {
      if (this._state === "DISCONNECTED" || this._state === "ABORTED" || this._state === "CONNECTING") throw fail(NOT_LOGGED_IN, "not logged in", "USER_NOT_LOGGED_IN");
      return code;
    }
    async _request(type, data, failCode, timeoutMs) {
      if (this._state === "RECONNECTING") {
        const ok = await new Promise((r) => this._waiters.push(r));
        if (!ok) throw fail(NOT_LOGGED_IN, "logged out before the request was sent", "USER_NOT_LOGGED_IN");
      }
      if (!this._conn) throw fail(NOT_LOGGED_IN, "not logged in", "USER_NOT_LOGGED_IN");
      return this._conn.request(type, data, failCode, timeoutMs);
    }
    // ------------------------------------------------------------ login
    async login(options) {
      const uid = options && options.uid;
      if (!validId(uid)) throw fail(3, 'uid must be 1–64 characters of the allowed set (and not "null")', "INVALID_ARGUMENT");
      if (options.token !== void 0 && options.token !== null && typeof options.token !== "string") throw fail(3, "token must be a string", "INVALID_ARGUMENT");
      if (this._state !== "DISCONNECTED") throw fail(8, "already logged in (or logging in): log out first", "ALREADY_LOGIN");
      this._userId = uid;
      this._token = options.token || "";
      this._sessionId = "";
      this._userAttrs = null;
      this._setState("CONNECTING", "LOGIN");
      try {
        await this._connect(1e4);
      } catch (e) {
        this._setState("DISCONNECTED", e.code === 9 ? "LOGIN_TIMEOUT" : "LOGIN_FAILURE");
        throw e;
      }
      this._setState("CONNECTED", "LOGIN_SUCCESS");
    }
    // _connect logs in on the first server that answers, the one that last
    // answered first (setServerURL with a list: failover).
    async _connect(timeoutMs) {
      const open = async (url) => {
        const c = new Conn((cc, t, d) => this._onEvent(cc, t, d), (cc) => this._onClose(cc), url);
        await c.open(timeoutMs);
        return c;
      };
      const urls = rotate(locator.wsURLs(), this._serverURL || "");
      const first = await openFirst(urls, open, new Backoff({ initialMs: 100, maxMs: 2e3 }), () => this._state === "CONNECTING" || this._state === "RECONNECTING");
      this._serverURL = first.url;
      const conn = first.conn;
      const req = { version: PROTOCOL_VERSION, appId: this._appId, userId: this._userId };
      if (this._token) req.token = this._token;
      if (this._sessionId) req.sessionId = this._sessionId;
      this._conn = conn;
      let resp;
      try {
        resp = await conn.request("login", req, 9, timeoutMs);
      } catch (e) {
        conn.close();
        if (this._conn === conn) this._conn = null;
        throw e;
      }
      this._sessionId = resp.sessionId;
      if (resp.keepAliveMs > 0) this._keepAliveMs = resp.keepAliveMs;
      if (!resp.resumed && this._state === "RECONNECTING") await this._restore(conn);
      this._startPing(conn);
      return resp;
    }
    // _restore rejoins channels, presence subscriptions and user attributes
    // after a login that could not take over the earlier session.
    async _restore(conn) {
      for (const ch of this._channels.values()) {
        if (!ch._joined) continue;
        try {
          await conn.request("join-channel", { channelId: ch.channelId, rejoin: true }, 1);
        } catch (e) {
          log.warn(`rejoin of ${ch.channelId} failed`, e);
        }
      }
      if (this._watching.size) {
        try {
          await conn.request("subscribe-peers-online-status", { peerIds: Array.from(this._watching).sort() }, 1);
        } catch (e) {
          log.warn("presence subscriptions not restored", e);
        }
      }
      if (this._userAttrs && Object.keys(this._userAttrs).length) {
        try {
          await conn.request("set-local-user-attributes", { attributes: attributeList(this._userAttrs, 3) }, 2);
        } catch (e) {
          log.warn("user attributes not restored", e);
        }
      }
    }
    _startPing(conn) {
      clearInterval(this._pingTimer);
      const timeout = Math.max(3 * this._keepAliveMs, 3e3);
      this._pingTimer = setInterval(() => {
        if (this._conn !== conn || this._state !== "CONNECTED") return;
        conn.request("ping", void 0, 1, timeout).catch((e) => {
          if (e.name === "RtmError TIMEOUT" && this._conn === conn) {
            log.warn("keep-alive unanswered; reconnecting");
            const cb = conn.onClose;
            conn.close(4e3, "keep-alive timeout");
            if (cb) cb(conn);
          }
        });
      }, this._keepAliveMs);
    }
    _onClose(conn) {
      if (conn !== this._conn) return;
      if (this._state !== "CONNECTED") return;
      this._reconnect();
    }
    async _reconnect() {
      if (this._reconnecting) return;
      this._reconnecting = true;
      clearInterval(this._pingTimer);
      this._setState("RECONNECTING", "INTERRUPTED");
      try {
        await retry(() => this._reconnectOnce(), () => this._state === "RECONNECTING", new Backoff({ initialMs: 100, maxMs: 2e3 }));
      } finally {
        this._reconnecting = false;
      }
    }
    // _reconnectOnce makes one attempt to log in again; it returns true when
    // there is nothing more to try (connected, or the login was refused).
    async _reconnectOnce() {
      try {
        await this._connect(5e3);
        if (this._state === "RECONNECTING") this._setState("CONNECTED", "LOGIN_SUCCESS");
        return true;
      } catch (e) {
        if (e.code === 5 || e.code === 6 || e.code === 4) {
          this._end("ABORTED", e.code === 6 ? "TOKEN_EXPIRED" : "LOGIN_FAILURE");
          if (e.code === 6) this.emit("TokenExpired");
          return true;
        }
        log.debug("reconnect attempt failed", e);
        return false;
      }
    }
    _end(state, reason) {
      clearInterval(this._pingTimer);
      this._pingTimer = null;
      const conn = this._conn;
      this._conn = null;
      if (conn) conn.close();
      for (const ch of this._channels.values()) ch._joined = false;
      this._setState(state, reason);
    }
    async logout() {
      if (this._state === "DISCONNECTED") return;
      const conn = this._conn;
      if (conn && !conn.closed) {
        try {
          await conn.request("logout", void 0, 1, 3e3);
        } catch (e) {
          log.debug("logout", e);
        }
      }
      this._sessionId = "";
      this._watching.clear();
      this._userAttrs = null;
      this._end("DISCONNECTED", "LOGOUT");
    }
    async renewToken(token) {
      if (typeof token !== "string" || !token) throw fail(2, "token must be a non-empty string", "INVALID_ARGUMENT");
      this._check(2);
      await this._request("renew-token", { token }, 1);
      this._token = token;
    }
    // ------------------------------------------------------------ events
    _onEvent(conn, type, d) {
      if (conn !== this._conn) return;
      switch (type) {
        case "peer-message":
          if (d.deliveryId) conn.send("ack", { deliveryId: d.deliveryId });
          this.emit("MessageFromPeer", appMessage(d.message || {}), d.peerId, {
            serverReceivedTs: d.message && d.message.serverReceivedTs || 0,
            isOfflineMessage: !!(d.message && d.message.isOfflineMessage)
          });
          return;
        case "channel-message": {
          const ch = this._channels.get(d.channelId);
          if (ch) ch.emit("ChannelMessage", appMessage(d.message || {}), d.userId, { serverReceivedTs: d.message && d.message.serverReceivedTs || 0 });
          return;
        }
        case "member-joined": {
          const ch = this._channels.get(d.channelId);
          if (ch) ch.emit("MemberJoined", d.userId);
          return;
        }
        case "member-left": {
          const ch = this._channels.get(d.channelId);
          if (ch) ch.emit("MemberLeft", d.userId);
          return;
        }
        case "member-count-updated": {
          const ch = this._channels.get(d.channelId);
          if (ch) ch.emit("MemberCountUpdated", d.count);
          return;
        }
        case "attributes-updated": {
          const ch = this._channels.get(d.channelId);
          if (ch) ch.emit("AttributesUpdated", attributeMap(d.attributes, true));
          return;
        }
        case "peers-online-status": {
          const out = {};
          for (const [id, s] of Object.entries(d.statuses || {})) out[id] = PEER_STATES[s] || String(s);
          this.emit("PeersOnlineStatusChanged", out);
          return;
        }
        case "token-will-expire":
          this.emit("TokenPrivilegeWillExpire");
          return;
        case "disconnect": {
          const state = STATES[d.state] || "ABORTED";
          const reason = REASONS[d.reason] || "INTERRUPTED";
          log.warn(`the server ended the session: ${d.message || reason}`);
          if (state === "RECONNECTING") {
            const cb = conn.onClose;
            conn.onClose = null;
            conn.close();
            if (cb) cb(conn);
            return;
          }
          this._sessionId = "";
          this._end(state, reason);
          if (reason === "TOKEN_EXPIRED") this.emit("TokenExpired");
          return;
        }
        case "remote-invitation-received": {
          const inv = new RemoteInvitation(this, d);
          this._remote.set(inv._key(), inv);
          this.emit("RemoteInvitationReceived", inv);
          return;
        }
        case "remote-invitation-canceled": {
          const inv = this._remote.get(`${d.callerId}/${d.invitationId}`);
          if (!inv) return;
          this._remote.delete(inv._key());
          inv.state = "CANCELED";
          inv.emit("RemoteInvitationCanceled", inv.content);
          return;
        }
        case "remote-invitation-failure": {
          const inv = this._remote.get(`${d.callerId}/${d.invitationId}`);
          if (!inv) return;
          this._remote.delete(inv._key());
          inv.state = "FAILURE";
          inv.emit("RemoteInvitationFailure", REMOTE_FAILURES[d.reason] || "UNKNOWN");
          return;
        }
        case "local-invitation-received":
        case "local-invitation-accepted":
        case "local-invitation-refused":
        case "local-invitation-failure": {
          const inv = this._invitations.get(d.invitationId);
          if (!inv) return;
          if (type === "local-invitation-received") {
            inv.state = "RECEIVED_BY_REMOTE";
            inv.emit("LocalInvitationReceivedByPeer");
            return;
          }
          this._invitations.delete(d.invitationId);
          inv.response = d.response || "";
          if (type === "local-invitation-accepted") {
            inv.state = "ACCEPTED_BY_REMOTE";
            inv.emit("LocalInvitationAccepted", inv.response);
          } else if (type === "local-invitation-refused") {
            inv.state = "REFUSED_BY_REMOTE";
            inv.emit("LocalInvitationRefused", inv.response);
          } else {
            inv.state = "FAILURE";
            inv.emit("LocalInvitationFailure", LOCAL_FAILURES[d.reason] || "UNKNOWN");
          }
          return;
        }
        default:
          log.debug("unknown event", type, d);
      }
    }
    // ------------------------------------------------------------ peers
    async sendMessageToPeer(message, peerId, options) {
      this._check(NOT_LOGGED_IN);
      if (!validId(peerId)) throw fail(6, `invalid peer id ${JSON.stringify(peerId)}`, "INVALID_USERID");
      const req = { peerId, message: wireMessage(message, 7) };
      if (options && options.enableOfflineMessaging) req.enableOfflineMessaging = true;
      try {
        const r = await this._request("send-peer-message", req, 2, PEER_MESSAGE_TIMEOUT_MS);
        return { hasPeerReceived: r.code === 0 || r.code === void 0 };
      } catch (e) {
        if (e.code === 3) return { hasPeerReceived: false };
        throw e;
      }
    }
    async queryPeersOnlineStatus(peerIds) {
      this._check(2);
      if (!Array.isArray(peerIds) || !peerIds.length || !peerIds.every(validId)) throw fail(2, "peerIds must be a non-empty list of user ids", "INVALID_ARGUMENT");
      const r = await this._request("query-peers-online-status", { peerIds }, 1);
      const out = {};
      for (const id of peerIds) out[id] = (r.statuses || {})[id] === 0;
      return out;
    }
    async subscribePeersOnlineStatus(peerIds) {
      this._check(2);
      if (!Array.isArray(peerIds) || !peerIds.length || !peerIds.every(validId)) throw fail(2, "peerIds must be a non-empty list of user ids", "INVALID_ARGUMENT");
      await this._request("subscribe-peers-online-status", { peerIds }, 1);
      for (const id of peerIds) this._watching.add(id);
    }
    async unsubscribePeersOnlineStatus(peerIds) {
      this._check(2);
      if (!Array.isArray(peerIds) || !peerIds.length) throw fail(2, "peerIds must be a non-empty list of user ids", "INVALID_ARGUMENT");
      await this._request("unsubscribe-peers-online-status", { peerIds }, 1);
      for (const id of peerIds) this._watching.delete(id);
    }
    async queryPeersBySubscriptionOption(option) {
      this._check(2);
      if (option !== void 0 && option !== "ONLINE_STATUS") throw fail(2, "the only option is ONLINE_STATUS", "INVALID_ARGUMENT");
      const r = await this._request("query-peers-by-subscription", void 0, 1);
      return r.peerIds || [];
    }
    // ------------------------------------------------------------ channels
    createChannel(channelId) {
      if (!validId(channelId)) throw fail(3, `invalid channel id ${JSON.stringify(channelId)}`, "INVALID_ARGUMENT");
      const existing = this._channels.get(channelId);
      if (existing) throw fail(3, `channel ${channelId} was already created`, "INVALID_ARGUMENT");
      const ch = new RtmChannel(this, channelId);
      this._channels.set(channelId, ch);
      return ch;
    }
    async getChannelMemberCount(channelIds) {
      this._check(2);
      if (!Array.isArray(channelIds) || !channelIds.length || !channelIds.every(validId)) throw fail(2, "channelIds must be a non-empty list of channel ids", "INVALID_ARGUMENT");
      const r = await this._request("get-channel-member-count", { channelIds }, 1);
      const out = {};
      for (const c of r.counts || []) out[c.channelId] = c.count;
      return out;
    }
    // ------------------------------------------------------------ channel attributes
    async _channelAttrs(type, channelId, extra, options) {
      this._check(3);
      if (!validId(channelId)) throw fail(3, `invalid channel id ${JSON.stringify(channelId)}`, "INVALID_ARGUMENT");
      const req = Object.assign({ channelId }, extra);
      if (options && options.enableNotificationToChannelMembers) req.enableNotificationToChannelMembers = true;
      if (options && options.expectedRevisions) req.expectedRevisions = options.expectedRevisions;
      return this._request(type, req, 7);
    }
    async setChannelAttributes(channelId, attributes, options) {
      await this._channelAttrs("set-channel-attributes", channelId, { attributes: attributeList(attributes, 3) }, options);
    }
    async addOrUpdateChannelAttributes(channelId, attributes, options) {
      await this._channelAttrs("add-or-update-channel-attributes", channelId, { attributes: attributeList(attributes, 3) }, options);
    }
    async deleteChannelAttributesByKeys(channelId, attributeKeys, options) {
      if (!Array.isArray(attributeKeys) || !attributeKeys.length) throw fail(3, "attributeKeys must be a non-empty list", "INVALID_ARGUMENT");
      await this._channelAttrs("delete-channel-attributes", channelId, { keys: attributeKeys }, options);
    }
    async clearChannelAttributes(channelId, options) {
      await this._channelAttrs("clear-channel-attributes", channelId, {}, options);
    }
    async getChannelAttributes(channelId) {
      const r = await this._channelAttrs("get-channel-attributes", channelId, {});
      return attributeMap(r.attributes, true);
    }
    async getChannelAttributesByKeys(channelId, attributeKeys) {
      if (!Array.isArray(attributeKeys) || !attributeKeys.length) throw fail(3, "attributeKeys must be a non-empty list", "INVALID_ARGUMENT");
      const r = await this._channelAttrs("get-channel-attributes", channelId, { keys: attributeKeys });
      return attributeMap(r.attributes, true);
    }
    // ------------------------------------------------------------ user attributes
    async setLocalUserAttributes(attributes) {
      this._check(3);
      await this._request("set-local-user-attributes", { attributes: attributeList(attributes, 3) }, 7);
      this._userAttrs = Object.assign({}, attributes);
    }
    async addOrUpdateLocalUserAttributes(attributes) {
      this._check(3);
      await this._request("add-or-update-local-user-attributes", { attributes: attributeList(attributes, 3) }, 7);
      this._userAttrs = Object.assign({}, this._userAttrs, attributes);
    }
    async deleteLocalUserAttributesByKeys(attributeKeys) {
      this._check(3);
      if (!Array.isArray(attributeKeys) || !attributeKeys.length) throw fail(3, "attributeKeys must be a non-empty list", "INVALID_ARGUMENT");
      await this._request("delete-local-user-attributes", { keys: attributeKeys }, 7);
      if (this._userAttrs) for (const k of attributeKeys) delete this._userAttrs[k];
    }
    async clearLocalUserAttributes() {
      this._check(3);
      await this._request("clear-local-user-attributes", void 0, 7);
      this._userAttrs = null;
    }
    async getUserAttributes(userId) {
      this._check(3);
      if (!validId(userId)) throw fail(3, `invalid user id ${JSON.stringify(userId)}`, "INVALID_ARGUMENT");
      const r = await this._request("get-user-attributes", { userId }, 7);
      return attributeMap(r.attributes, false);
    }
    async getUserAttributesByKeys(userId, attributeKeys) {
      this._check(3);
      if (!validId(userId)) throw fail(3, `invalid user id ${JSON.stringify(userId)}`, "INVALID_ARGUMENT");
      const r = await this._request("get-user-attributes", { userId, keys: attributeKeys }, 7);
      return attributeMap(r.attributes, false);
    }
    // ------------------------------------------------------------ invitations
    createLocalInvitation(calleeId) {
      if (!validId(calleeId)) throw fail(2, `invalid callee id ${JSON.stringify(calleeId)}`, "INVALID_ARGUMENT");
      return new LocalInvitation(this, calleeId);
    }
    // createMessage builds a message object (agora-rtm-sdk 1.4's helper).
    createMessage(message) {
      return Object.assign({ messageType: message && message.rawMessage ? "RAW" : "TEXT" }, message);
    }
    // setParameters sets Agora's private parameters, which tune Agora's SDK
    // and have no meaning here.
    setParameters() {
      throw fail(1, "cohost has no private RTM parameters", "NOT_SUPPORTED");
    }
    // updateConfig applies a new RtmConfig (its logFilter; cohost has no
    // other client-side settings).
    updateConfig(config) {
      checkConfig(config);
      this._config = Object.assign({}, this._config, config);
      if (config && config.logFilter && typeof config.logFilter.level === "number") setLogFilter(config.logFilter.level);
    }
  };
  install(RtmClient, clientMetadata);
  install(RtmClient, clientMedia);
  install(RtmChannel, channelMetadata);

  // src/shared/area.js
  function checkArea(area, areas, fail2) {
    let codes = area;
    let excluded;
    if (area && typeof area === "object" && !Array.isArray(area)) {
      codes = area.areaCode !== void 0 ? area.areaCode : area.areaCodes;
      excluded = area.excludedArea;
    }
    if (!Array.isArray(codes)) codes = [codes];
    const named = excluded === void 0 ? codes : [...codes, excluded];
    if (!codes.length || named.some((c) => typeof c !== "string" || !Object.prototype.hasOwnProperty.call(areas, c))) {
      throw fail2("INVALID_PARAMS", `invalid area ${JSON.stringify(area)}`);
    }
    if (codes.some((c) => c !== "GLOBAL") || excluded !== void 0) {
      throw fail2("NOT_SUPPORTED", "cohost does not choose servers by area: it connects to the servers setServerURL names (only GLOBAL is accepted)");
    }
  }

  // src/rtm/sdk.js
  var VERSION = "1.4.5";
  var COHOST_VERSION = "0.1.0";
  var AREAS = Object.freeze(Object.fromEntries(["GLOBAL", "CHINA", "ASIA", "NORTH_AMERICA", "EUROPE", "JAPAN", "INDIA", "KOREA", "HKMC", "US", "OCEANIA", "SOUTH_AMERICA", "AFRICA", "OVERSEA"].map((n) => [n, n])));
  var AgoraRTM = {
    __cohost: true,
    VERSION,
    BUILD: `cohost-${COHOST_VERSION}`,
    ConnectionState,
    ConnectionChangeReason,
    PeerOnlineState,
    PeerSubscriptionOption,
    MessageType,
    LocalInvitationState,
    RemoteInvitationState,
    LocalInvitationFailureReason,
    RemoteInvitationFailureReason,
    RtmErrorCode,
    RtmError,
    // END_CALL_PREFIX: agora-rtm-sdk's prefix of the peer message that ends a
    // call for its legacy SDKs.
    END_CALL_PREFIX: "AgoraRTMLegacyEndcallCompatibleMessagePrefix",
    // setArea: cohost connects to the servers setServerURL names, wherever
    // they are; GLOBAL is accepted, a region fails with NOT_SUPPORTED (see
    // shared/area.js).
    setArea(config) {
      checkArea(config, AREAS, (code, msg) => code === "NOT_SUPPORTED" ? fail(1, msg, "NOT_SUPPORTED") : fail(2, msg, "INVALID_ARGUMENT"));
    },
    LOG_FILTER_OFF: { level: 0 },
    LOG_FILTER_ERROR: { level: 1 },
    LOG_FILTER_WARNING: { level: 2 },
    LOG_FILTER_INFO: { level: 3 },
    LOG_FILTER_DEBUG: { level: 4 },
    // createInstance is a plain function, so that `new AgoraRTM.createInstance(appId)` works too.
    createInstance: function(appId, config) {
      if (typeof appId !== "string" || !appId) throw fail(101, "appId must be a non-empty string", "NOT_INITIALIZED");
      checkConfig(config);
      if (config && config.logFilter && typeof config.logFilter.level === "number") setLogFilter(config.logFilter.level);
      return new RtmClient(appId, config);
    },
    // setServerURL points the SDK at a cohost server other than the one it
    // was loaded from, e.g. AgoraRTM.setServerURL("https://rtc.example.com").
    setServerURL(url) {
      locator.setServerURL(url);
    },
    getServerURL: () => locator.base(),
    __setModuleURL(url) {
      locator.setModuleURL(url);
    }
  };

  // src/rtm/global.js
  var root = (
    /** @type {any} */
    globalThis
  );
  if (!(root.AgoraRTM && root.AgoraRTM.__cohost)) {
    const script = typeof document !== "undefined" && document.currentScript && /** @type {HTMLScriptElement} */
    document.currentScript.src;
    locator.setScriptURL(script || "");
    root.AgoraRTM = AgoraRTM;
  }
})();
if (typeof module === "object" && module && module.exports) module.exports = globalThis.AgoraRTM;
