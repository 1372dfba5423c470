// Compiles Boost.Asio and Boost.Beast once for the whole gateway (separate compilation keeps every
// other translation unit from instantiating their implementation again).
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
