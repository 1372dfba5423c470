#include "gateway/db_pool.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <future>
#include <memory>

#include "storage/errors.hpp"

namespace anliegen::gateway {

namespace asio = boost::asio;

DbPool::DbPool(std::string dsn, int size, std::size_t max_queue) : dsn_(std::move(dsn)), max_queue_(max_queue) {
  for (int i = 0; i < size; ++i) threads_.emplace_back([this] { worker(); });
}

DbPool::~DbPool() { stop(); }

void DbPool::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

std::size_t DbPool::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void DbPool::enqueue(Job job) {
  {
    std::unique_lock lock(mutex_);
    if (stopping_) {
      lock.unlock();
      job.done(std::make_exception_ptr(storage::Unavailable("the service is shutting down")));
      return;
    }
    if (queue_.size() >= max_queue_) {
      lock.unlock();
      job.done(std::make_exception_ptr(storage::Unavailable("database queue is full")));
      return;
    }
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
}

void DbPool::worker() {
  std::unique_ptr<storage::Connection> conn;
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    ++in_use_;
    std::exception_ptr error;
    try {
      if (!conn || !conn->usable()) {
        conn.reset();
        conn = storage::Connection::open(dsn_);
      }
      job.work(*conn);
    } catch (...) {
      error = std::current_exception();
    }
    --in_use_;
    // The work (and what it captured) is released before the waiter resumes and may free it.
    job.work = nullptr;
    auto done = std::move(job.done);
    done(error);
  }
}

// Not coroutines themselves: each returns the awaitable of one asynchronous operation whose
// initiation queues the job; the completion is posted back to the awaiting coroutine's executor.
asio::awaitable<void> DbPool::run(Work work) {
  return asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr)>(
      [this](auto handler, Work w) {
        auto ex = asio::get_associated_executor(handler);
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        enqueue(Job{std::move(w), [h, ex](std::exception_ptr e) {
                      asio::post(ex, [h, e]() mutable { std::move (*h)(e); });
                    }});
      },
      asio::use_awaitable, std::move(work));
}

asio::awaitable<void> DbPool::transact(TxWork work) {
  return run([w = std::move(work)](storage::Connection& c) { c.transact(w); });
}

asio::awaitable<void> DbPool::read(TxWork work) {
  return run([w = std::move(work)](storage::Connection& c) { c.read(w); });
}

void DbPool::run_blocking(const Work& work) {
  auto promise = std::make_shared<std::promise<void>>();
  auto future = promise->get_future();
  enqueue(Job{work, [promise](std::exception_ptr e) {
                if (e) {
                  promise->set_exception(e);
                } else {
                  promise->set_value();
                }
              }});
  future.get();
}

}  // namespace anliegen::gateway
