#pragma once
// Wakes background worker threads when there is new work. A worker takes a ticket before it looks for
// work and then waits with that ticket: a notify() that came in while it was busy is not missed.
//
//   auto ticket = wake.ticket();  ...look for work...  if (idle) wake.wait(ticket, poll, stopping);
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace anliegen::gateway {

class WakeSignal {
 public:
  void notify() {
    {
      std::lock_guard lock(mutex_);
      ++wakes_;
    }
    cv_.notify_all();
  }
  std::uint64_t ticket() {
    std::lock_guard lock(mutex_);
    return wakes_;
  }
  // Returns after a notify() since `ticket`, when `stopping` is set (and notified), or after `timeout`.
  void wait(std::uint64_t ticket, std::chrono::milliseconds timeout, const std::atomic<bool>& stopping) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, timeout, [&] { return wakes_ != ticket || stopping.load(); });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::uint64_t wakes_ = 0;
};

}  // namespace anliegen::gateway
