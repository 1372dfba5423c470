#pragma once
// Explicit wiring of the channels that are configured: each adapter is built by its factory, its
// webhook routes are registered, and its sender is added to the outbox dispatcher. Adding a channel
// means one more block here (see docs/adding-a-channel.md).
#include <memory>

#include "gateway/app.hpp"
#include "gateway/workers/outbox_dispatcher.hpp"

namespace anliegen::gateway {

struct ChannelWorkers {
  std::unique_ptr<OutboxDispatcher> outbox;
  void start();
  void stop();
};

// Registers the channel routes and the case routes that depend on channels (replies, Sprechstunden).
ChannelWorkers wire_channels(App& app);

}  // namespace anliegen::gateway
