// Compiles Boost.Asio's OpenSSL support once (BOOST_ASIO_SEPARATE_COMPILATION), for net::fetch.
#include <boost/asio/ssl/impl/src.hpp>
