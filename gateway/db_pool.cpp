#include "gateway/db_pool.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <future>
#include <memory>

#include "storage/errors.hpp"

namespace anliegen::gateway {

namespace asio = boost::asio;

DbPool::DbPool(std::string dsn, int size, std::size_t max_queue, std::size_t max_group)
    : max_group_(std::max<std::size_t>(1, max_group)), dsn_(std::move(dsn)), max_queue_(max_queue) {
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
  bool wake = false;
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
    // A grouped job that has to wait for the group being written wakes nobody: that group's end
    // does. Waking a thread only to find nothing it may run costs two context switches per
    // delivery, which on a small VM is more than the delivery's own work.
    wake = runnable(job);
    queue_.push_back(std::move(job));
  }
  if (wake) cv_.notify_one();
}

std::vector<DbPool::Job> DbPool::take_group(Job first) {
  std::vector<Job> group;
  group.push_back(std::move(first));
  for (auto it = queue_.begin(); it != queue_.end() && group.size() < max_group_;) {
    if (it->grouped) {
      group.push_back(std::move(*it));
      it = queue_.erase(it);
    } else {
      ++it;
    }
  }
  return group;
}

namespace {

void ensure_connection(std::unique_ptr<storage::Connection>& conn, const std::string& dsn) {
  if (!conn || !conn->usable()) {
    conn.reset();
    conn = storage::Connection::open(dsn);
  }
}

// One grouped job alone, with a few attempts when it meets a deadlock or serialization conflict.
std::exception_ptr run_alone(std::unique_ptr<storage::Connection>& conn, const std::string& dsn,
                             const DbPool::TxWork& work) {
  for (int attempt = 1;; ++attempt) {
    try {
      ensure_connection(conn, dsn);
      conn->transact(work);
      return nullptr;
    } catch (const storage::Transient&) {
      if (attempt == 3) return std::current_exception();
    } catch (...) {
      return std::current_exception();
    }
  }
}

}  // namespace

void DbPool::group_written() {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (!group_writing_) return;
    group_writing_ = false;
    // Reads are woken for when they are queued, so what waits here is (all but transiently) grouped.
    wake = !queue_.empty() && runnable_group();
  }
  if (wake) cv_.notify_one();  // one thread writes the deliveries that waited meanwhile
}

void DbPool::run_group(std::unique_ptr<storage::Connection>& conn, std::vector<Job>& group) {
  std::vector<std::exception_ptr> errors(group.size());
  if (group.size() == 1) {
    errors[0] = run_alone(conn, dsn_, [&](storage::Tx& tx) {
      group[0].grouped(tx);
      tx.flush_deferred();
      group_written();
    });
  } else {
    try {
      ensure_connection(conn, dsn_);
      conn->transact([&](storage::Tx& tx) {
        for (auto& job : group) job.grouped(tx);
        tx.flush_deferred();
        group_written();  // only the commit is left
      });
    } catch (const storage::Unavailable&) {
      // The database is away (or the commit's outcome unknown): every job reports it; the platforms
      // retry and the deliveries that did commit are recognised then.
      std::fill(errors.begin(), errors.end(), std::current_exception());
    } catch (...) {
      for (std::size_t i = 0; i < group.size(); ++i) errors[i] = run_alone(conn, dsn_, group[i].grouped);
    }
  }
  for (std::size_t i = 0; i < group.size(); ++i) {
    group[i].grouped = nullptr;
    auto done = std::move(group[i].done);
    done(errors[i]);
  }
}

void DbPool::worker() {
  std::unique_ptr<storage::Connection> conn;
  for (;;) {
    Job job;
    std::vector<Job> group;
    {
      std::unique_lock lock(mutex_);
      auto next = queue_.end();
      cv_.wait(lock, [&] {
        next = std::find_if(queue_.begin(), queue_.end(), [&](const Job& j) { return runnable(j); });
        return next != queue_.end() || (stopping_ && queue_.empty());
      });
      if (next == queue_.end()) return;  // stopping and drained
      job = std::move(*next);
      queue_.erase(next);
      if (job.grouped) {
        group = take_group(std::move(job));
        group_writing_ = true;
        ++groups_running_;
      }
    }
    if (!group.empty()) {
      in_use_ += 1;
      run_group(conn, group);
      group_written();  // when it failed before it was written
      {
        std::lock_guard lock(mutex_);
        --groups_running_;
      }
      // No one is woken: this thread looks for the next group itself.
      in_use_ -= 1;
      continue;
    }
    ++in_use_;
    std::exception_ptr error;
    try {
      ensure_connection(conn, dsn_);
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
        enqueue(Job{std::move(w), nullptr, [h, ex](std::exception_ptr e) {
                      asio::post(ex, [h, e]() mutable { std::move (*h)(e); });
                    }});
      },
      asio::use_awaitable, std::move(work));
}

asio::awaitable<void> DbPool::transact(TxWork work) {
  return run([w = std::move(work)](storage::Connection& c) { c.transact(w); });
}

asio::awaitable<void> DbPool::transact_grouped(TxWork work) {
  return asio::async_initiate<decltype(asio::use_awaitable), void(std::exception_ptr)>(
      [this](auto handler, TxWork w) {
        auto ex = asio::get_associated_executor(handler);
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        enqueue(Job{nullptr, std::move(w), [h, ex](std::exception_ptr e) {
                      asio::post(ex, [h, e]() mutable { std::move (*h)(e); });
                    }});
      },
      asio::use_awaitable, std::move(work));
}

asio::awaitable<void> DbPool::read(TxWork work) {
  return run([w = std::move(work)](storage::Connection& c) { c.read(w); });
}

namespace {

std::function<void(std::exception_ptr)> fulfil(const std::shared_ptr<std::promise<void>>& promise) {
  return [promise](std::exception_ptr e) {
    if (e) {
      promise->set_exception(e);
    } else {
      promise->set_value();
    }
  };
}

}  // namespace

void DbPool::run_blocking(const Work& work) {
  auto promise = std::make_shared<std::promise<void>>();
  auto future = promise->get_future();
  enqueue(Job{work, nullptr, fulfil(promise)});
  future.get();
}

void DbPool::transact_grouped_blocking(const TxWork& work) {
  auto promise = std::make_shared<std::promise<void>>();
  auto future = promise->get_future();
  enqueue(Job{nullptr, work, fulfil(promise)});
  future.get();
}

}  // namespace anliegen::gateway
