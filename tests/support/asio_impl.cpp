// Boost.Asio and Boost.Beast compiled once for the test support library.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
