// api/internal/socket_stream.h — a blocking TCP stream over a raw socket, with deadlines.
//
// Beast's synchronous http::read/http::write need a SyncReadStream/SyncWriteStream. Asio's own
// sockets cannot bound a blocking read (on EAGAIN from SO_RCVTIMEO they poll() without a limit)
// and Beast's tcp_stream applies its timeouts to asynchronous operations only. SocketStream calls
// recvmsg/sendmsg itself: reads fail with asio::error::timed_out once the read deadline has
// passed (however the bytes trickle in), each write once it has waited the write timeout, and
// shutdown(2) from another thread wakes a blocked read with eof.
// Invariant: owns its descriptor (closed by Close(), Reset() or the destructor); SIGPIPE is never
// raised.
// Thread-safety: one thread uses the stream; another may only shutdown(2) its fd().
// Included only by .cc files of the api module: it pulls in Asio headers.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>
#include <chrono>
#include <cstddef>

namespace orderpilot::api::internal {

class SocketStream {
 public:
  SocketStream() = default;
  explicit SocketStream(int fd) : fd_(fd) {}
  ~SocketStream() { Close(); }
  SocketStream(const SocketStream&) = delete;
  SocketStream& operator=(const SocketStream&) = delete;

  int fd() const { return fd_; }
  bool is_open() const { return fd_ >= 0; }
  // Closes the current descriptor (if any) and takes ownership of `fd`.
  void Reset(int fd);
  void Close();

  // Reads after `deadline` fail with timed_out; time_point::max() (the default) means never.
  void SetReadDeadline(std::chrono::steady_clock::time_point deadline) { deadline_ = deadline; }
  // Bounds each blocking write (and connect(2), on Linux) by `timeout`; zero means wait forever.
  // REQUIRES: is_open().
  void SetWriteTimeout(std::chrono::milliseconds timeout);
  void SetNoDelay();
  // Half-closes the sending side: the peer reads eof after what was already sent.
  void ShutdownSend();
  // Without blocking: true when the peer has closed or reset the connection, or sent bytes we did
  // not ask for (a keep-alive connection in that state cannot carry another request).
  bool PeerClosedOrUnusable() const;

  // SyncReadStream: reads at least one byte; eof when the peer closed, timed_out past the timeout.
  template <class MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers, boost::system::error_code& ec) {
    iovec iov[kMaxIov];
    int n = 0;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers) && n < kMaxIov; ++it) {
      boost::asio::mutable_buffer b(*it);
      if (b.size() == 0) continue;
      iov[n++] = {b.data(), b.size()};
    }
    return ReadV(iov, n, ec);
  }
  // SyncWriteStream: writes at least one byte (or fails).
  template <class ConstBufferSequence>
  size_t write_some(const ConstBufferSequence& buffers, boost::system::error_code& ec) {
    iovec iov[kMaxIov];
    int n = 0;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers) && n < kMaxIov; ++it) {
      boost::asio::const_buffer b(*it);
      if (b.size() == 0) continue;
      iov[n++] = {const_cast<void*>(b.data()), b.size()};
    }
    return WriteV(iov, n, ec);
  }
  // The throwing overloads complete the Beast concepts; our code calls only the ones above.
  template <class MutableBufferSequence>
  size_t read_some(const MutableBufferSequence& buffers) {
    boost::system::error_code ec;
    size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }
  template <class ConstBufferSequence>
  size_t write_some(const ConstBufferSequence& buffers) {
    boost::system::error_code ec;
    size_t n = write_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

  // Writes all of `iov` (retrying partial writes); returns the bytes written, with ec set on
  // failure. `iov` is modified.
  size_t WriteAll(iovec* iov, int n, boost::system::error_code& ec);

 private:
  static constexpr int kMaxIov = 16;
  size_t ReadV(iovec* iov, int n, boost::system::error_code& ec);
  size_t WriteV(const iovec* iov, int n, boost::system::error_code& ec);

  int fd_ = -1;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
};

}  // namespace orderpilot::api::internal
