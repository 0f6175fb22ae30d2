// The names tshark 4.0 gives SMTP and FTP reply codes in the tree ("Response code: AUTH input (334)"),
// from `tshark -G values` (fields smtp.response.code and ftp.response.code).
#pragma once

#include <string_view>

namespace ps::app {

std::string_view smtp_reply_name(int code);
std::string_view ftp_reply_name(int code);

} // namespace ps::app
