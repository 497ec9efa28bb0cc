// store/internal/function_ref.h — a non-owning reference to a callable, for closures that are
// only called while their owner waits (the group-commit writer's requests).
//
// Invariant: never allocates. REQUIRES: the referenced callable outlives every call.
#pragma once

#include <type_traits>
#include <utility>

namespace orderpilot::store::internal {

template <typename Signature>
class FunctionRef;

template <typename R, typename... Args>
class FunctionRef<R(Args...)> {
 public:
  template <typename F, typename = std::enable_if_t<!std::is_same_v<std::decay_t<F>, FunctionRef> &&
                                                    std::is_invocable_r_v<R, F&, Args...>>>
  FunctionRef(F& f)  // NOLINT(google-explicit-constructor)
      : object_(static_cast<void*>(&f)), call_([](void* object, Args... args) -> R {
          return (*static_cast<F*>(object))(std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

}  // namespace orderpilot::store::internal
