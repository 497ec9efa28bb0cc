#include "api/internal/socket_stream.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/error.hpp>
#include <cerrno>
#include <cstdint>

namespace orderpilot::api::internal {
namespace {

boost::system::error_code ErrnoCode(int err) {
  if (err == EAGAIN || err == EWOULDBLOCK) return boost::asio::error::timed_out;  // SO_SNDTIMEO
  return {err, boost::system::system_category()};
}

}  // namespace

void SocketStream::Reset(int fd) {
  Close();
  fd_ = fd;
}

void SocketStream::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void SocketStream::SetWriteTimeout(std::chrono::milliseconds timeout) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(timeout).count();
  timeval tv{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

void SocketStream::SetNoDelay() {
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void SocketStream::ShutdownSend() { ::shutdown(fd_, SHUT_WR); }

bool SocketStream::PeerClosedOrUnusable() const {
  pollfd p{fd_, POLLIN | POLLRDHUP, 0};
  int r = ::poll(&p, 1, 0);
  if (r < 0) return true;
  if (r == 0) return false;  // nothing pending: the connection is idle and open
  if (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) return true;
  char c;
  return ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT) != -1 || errno != EAGAIN;
}

size_t SocketStream::ReadV(iovec* iov, int n, boost::system::error_code& ec) {
  ec = {};
  if (n == 0) return 0;
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = static_cast<size_t>(n);
  const bool bounded = deadline_ != std::chrono::steady_clock::time_point::max();
  for (;;) {
    // With a deadline: try without blocking first (the bytes are often there already), then
    // wait in poll() for what is left of the deadline.
    ssize_t r = ::recvmsg(fd_, &msg, bounded ? MSG_DONTWAIT : 0);
    if (r > 0) return static_cast<size_t>(r);
    if (r == 0) {
      ec = boost::asio::error::eof;
      return 0;
    }
    if (errno == EINTR) continue;
    if (!bounded || (errno != EAGAIN && errno != EWOULDBLOCK)) {
      ec = ErrnoCode(errno);
      return 0;
    }
    auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ec = boost::asio::error::timed_out;
      return 0;
    }
    pollfd p{fd_, POLLIN, 0};
    int timeout_ms = static_cast<int>(std::min<int64_t>(left.count(), 1 << 30));
    if (::poll(&p, 1, timeout_ms) < 0 && errno != EINTR) {
      ec = ErrnoCode(errno);
      return 0;
    }
  }
}

size_t SocketStream::WriteV(const iovec* iov, int n, boost::system::error_code& ec) {
  ec = {};
  if (n == 0) return 0;
  msghdr msg{};
  msg.msg_iov = const_cast<iovec*>(iov);
  msg.msg_iovlen = static_cast<size_t>(n);
  for (;;) {
    ssize_t r = ::sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (r >= 0) return static_cast<size_t>(r);
    if (errno == EINTR) continue;
    ec = ErrnoCode(errno);
    return 0;
  }
}

size_t SocketStream::WriteAll(iovec* iov, int n, boost::system::error_code& ec) {
  size_t total = 0;
  while (n > 0) {
    size_t written = WriteV(iov, n, ec);
    if (ec) return total;
    total += written;
    while (n > 0 && written >= iov->iov_len) {
      written -= iov->iov_len;
      ++iov;
      --n;
    }
    if (n > 0) {
      iov->iov_base = static_cast<char*>(iov->iov_base) + written;
      iov->iov_len -= written;
    }
  }
  ec = {};
  return total;
}

}  // namespace orderpilot::api::internal
