#pragma once
// Exceptions that leave storage/. Callers never see libpqxx types: a lost or refused connection is
// `Unavailable` (answer 503 and let the client retry), a serialization failure or deadlock is
// `Transient` (retry the transaction), anything else is `StorageError` (a bug or broken invariant).
#include <stdexcept>
#include <string>

namespace anliegen::storage {

class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Unavailable : public StorageError {
 public:
  using StorageError::StorageError;
};

class Transient : public StorageError {
 public:
  using StorageError::StorageError;
};

}  // namespace anliegen::storage
