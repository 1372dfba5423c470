#pragma once
// A small pool of database threads, each with its own PostgreSQL connection. Handlers on the I/O
// threads `co_await pool.run(...)`: the work runs on a database thread and the coroutine resumes on
// its own executor, so libpqxx's blocking calls never stall the I/O threads.
//
//   std::optional<domain::Anliegen> found;
//   co_await db.read([&](storage::Tx& tx) { found = storage::get_case(tx, id); });
//
// Exceptions thrown by the work (storage::Unavailable, ...) are rethrown in the awaiting coroutine.
//
// Group commit: `transact_grouped` jobs that are waiting when a database thread becomes free run
// together in one transaction (up to `max_group`), so a burst of webhook deliveries costs one commit
// per group instead of one per delivery. Each job completes only after the group committed. When the
// group fails for a reason other than a lost database, every job of it runs again alone, so one bad
// delivery cannot fail the others. Grouped work must therefore be repeatable: reset whatever it
// records at its start. One group at a time is written; once its work is flushed and it waits for its
// commit (the WAL flush), the next group may be written. So writing and flushing overlap, groups grow
// with the load instead of spreading it over every thread, and two groups never compete for the same
// index pages; with more than two threads, the others stay free for reads and single transactions.
// A lost connection is replaced on the next job; when the queue is full, jobs fail fast with
// storage::Unavailable so that the gateway answers 503 instead of queueing without bound.
#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/database.hpp"

namespace anliegen::gateway {

class DbPool {
 public:
  using Work = std::function<void(storage::Connection&)>;
  using TxWork = std::function<void(storage::Tx&)>;

  DbPool(std::string dsn, int size, std::size_t max_queue, std::size_t max_group = 64);
  ~DbPool();
  DbPool(const DbPool&) = delete;
  DbPool& operator=(const DbPool&) = delete;

  boost::asio::awaitable<void> run(Work work);
  boost::asio::awaitable<void> transact(TxWork work);  // read-write transaction, committed
  boost::asio::awaitable<void> read(TxWork work);      // read-only transaction
  boost::asio::awaitable<void> transact_grouped(TxWork work);  // read-write, maybe committed with others

  // Synchronous variants for background workers that own a thread anyway.
  void run_blocking(const Work& work);
  void transact_grouped_blocking(const TxWork& work);

  void stop();  // finishes queued jobs, joins the threads
  int size() const { return static_cast<int>(threads_.size()); }
  int in_use() const { return in_use_.load(); }
  std::size_t queued() const;

 private:
  struct Job {
    Work work;       // a job of its own
    TxWork grouped;  // or a transaction body that may share its transaction
    std::function<void(std::exception_ptr)> done;
  };
  void enqueue(Job job);
  void worker();
  bool runnable_group() const { return !group_writing_ && groups_running_ < kMaxGroupsInFlight; }
  bool runnable(const Job& job) const { return !job.grouped || runnable_group(); }
  std::vector<Job> take_group(Job first);  // under mutex_
  void run_group(std::unique_ptr<storage::Connection>& conn, std::vector<Job>& group);
  void group_written();  // the writing group now only commits (or failed): the next one may be written

  std::size_t max_group_;

  std::string dsn_;
  std::size_t max_queue_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::atomic<int> in_use_{0};
  static constexpr int kMaxGroupsInFlight = 2;  // one written, one committing
  bool group_writing_ = false;  // under mutex_: a group is being written (not yet committing)
  int groups_running_ = 0;      // under mutex_
  std::vector<std::thread> threads_;
};

}  // namespace anliegen::gateway
