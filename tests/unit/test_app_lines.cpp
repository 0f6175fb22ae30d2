// FTP, SMTP, POP3 and Telnet analyzers fed at every split point give the same messages; data
// connections are announced; violations end the analysis without crashing.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "app/expected.h"
#include "app/ftp/ftp_address.h"
#include "app/ftp/ftp_analyzer.h"
#include "app/pop3/pop3_analyzer.h"
#include "app/smtp/smtp_analyzer.h"
#include "app/telnet/telnet_analyzer.h"

namespace ps::app {
namespace {

std::span<const uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// A conversation: (direction, bytes) in order.
using Script = std::vector<std::pair<int, std::string>>;

// Feeds the script, cutting every chunk at `cut` (0: no cut); collects everything attached.
AppFrame run(Analyzer& a, const Script& s, size_t cut) {
  AppFrame all;
  FrameInfo f;
  for (const auto& [dir, text] : s) {
    std::vector<std::string_view> parts;
    std::string_view t = text;
    if (cut && cut < t.size())
      parts = {t.substr(0, cut), t.substr(cut)};
    else
      parts = {t};
    for (std::string_view p : parts) {
      AppFrame out;
      f.number++;
      f.has_payload = true;
      a.data(dir, bytes(p), f, out);
      a.frame_end(dir, f, out);
      for (auto& l : out.ftp) all.ftp.push_back(l);
      for (auto& l : out.smtp) all.smtp.push_back(l);
      for (auto& l : out.pop) all.pop.push_back(l);
      for (auto& c : out.telnet_cmds) all.telnet_cmds.push_back(c);
      all.smtp_data_bytes += out.smtp_data_bytes;
      all.smtp_data_end |= out.smtp_data_end;
      if (!out.smtp_subject.empty()) all.smtp_subject = out.smtp_subject;
      all.pop_data_bytes += out.pop_data_bytes;
      all.telnet_data_bytes += out.telnet_data_bytes;
      if (!out.malformed.empty()) all.malformed = out.malformed;
    }
  }
  return all;
}

size_t longest(const Script& s) {
  size_t n = 0;
  for (const auto& p : s) n = std::max(n, p.second.size());
  return n;
}

const Script kFtp = {{1, "220 Welcome to the FTP service.\r\n"},
                     {0, "USER anonymous\r\n"},
                     {1, "331 Please specify the password.\r\n"},
                     {0, "FEAT\r\n"},
                     {1, "211-Features:\r\n EPRT\r\n EPSV\r\n211 End\r\n"},
                     {0, "PORT 192,168,1,21,213,111\r\n"},
                     {1, "200 PORT command successful.\r\n"},
                     {0, "PASV\r\n"},
                     {1, "227 Entering Passive Mode (192,168,1,200,156,140).\r\n"},
                     {0, "RETR firmware.bin\r\n"},
                     {1, "150 Opening BINARY mode data connection for firmware.bin (5430 bytes).\r\n"}};

TEST(FtpAnalyzer, EverySplitPointGivesTheSameLines) {
  ExpectedTable ex;
  AnalyzerEnv env;
  env.expected = &ex;
  FtpAnalyzer whole_a(env);
  AppFrame whole = run(whole_a, kFtp, 0);
  ASSERT_EQ(whole.ftp.size(), 14u);
  EXPECT_EQ(whole.ftp[1].command, "USER");
  EXPECT_EQ(whole.ftp[1].arg, "anonymous");
  EXPECT_EQ(whole.ftp[4].code, 211);
  EXPECT_EQ(whole.ftp[5].code, -1); // " EPRT" continuation line
  EXPECT_EQ(whole.ftp[7].code, 211);
  for (size_t cut = 1; cut < longest(kFtp); ++cut) {
    ExpectedTable ex2;
    AnalyzerEnv e2;
    e2.expected = &ex2;
    FtpAnalyzer a(e2);
    AppFrame got = run(a, kFtp, cut);
    ASSERT_EQ(got.ftp.size(), whole.ftp.size()) << cut;
    for (size_t i = 0; i < got.ftp.size(); ++i) {
      EXPECT_EQ(got.ftp[i].line, whole.ftp[i].line) << cut;
      EXPECT_EQ(got.ftp[i].code, whole.ftp[i].code) << cut;
    }
  }
}

TEST(FtpAnalyzer, AnnouncesDataConnections) {
  ExpectedTable ex;
  AnalyzerEnv env;
  env.expected = &ex;
  FtpAnalyzer a(env);
  run(a, kFtp, 0);
  uint8_t client[4] = {192, 168, 1, 21}, server[4] = {192, 168, 1, 200}, other[4] = {10, 0, 0, 1};
  const ExpectedConn* active = ex.match(4, server, 20, client, 213 * 256 + 111);
  ASSERT_NE(active, nullptr);
  EXPECT_EQ(active->link.setup_method, "PORT");
  const ExpectedConn* passive = ex.match(4, client, 42166, server, 156 * 256 + 140);
  ASSERT_NE(passive, nullptr);
  EXPECT_EQ(passive->link.setup_method, "PASV");
  EXPECT_EQ(passive->control->command, "RETR firmware.bin");
  EXPECT_EQ(ex.match(4, other, 1, other, 2), nullptr);
}

TEST(FtpAnalyzer, FollowsTheWorkingDirectoryWithinBounds) {
  FtpAnalyzer a{AnalyzerEnv{}};
  FrameInfo f;
  f.has_payload = true;
  AppFrame out;
  auto say = [&](int dir, std::string_view line) {
    out.clear();
    a.data(dir, bytes(line), f, out);
  };
  say(0, "PWD\r\n");
  say(1, "257 \"/home/a\"\" q\" is the current directory\r\n");
  EXPECT_EQ(out.ftp_cwd, "/home/a\" q");
  say(0, "CWD pub/../x/./y\r\n");
  EXPECT_EQ(out.ftp_cwd, "/home/a\" q"); // not before the reply says it worked
  say(1, "250 OK\r\n");
  EXPECT_EQ(out.ftp_cwd, "/home/a\" q/x/y");
  say(0, "CDUP\r\n");
  say(1, "250 OK\r\n");
  EXPECT_EQ(out.ftp_cwd, "/home/a\" q/x");
  say(0, "CWD ../../../..\r\n");
  say(1, "250 OK\r\n");
  EXPECT_EQ(out.ftp_cwd, "/");
  say(0, "CWD /abs/\r\n");
  say(1, "550 No\r\n");
  EXPECT_EQ(out.ftp_cwd, "/"); // refused: unchanged
  // A hostile session of relative CWDs cannot grow it without bound.
  for (int i = 0; i < 2000; ++i) {
    say(0, "CWD aaaaaaaaaaaaaaaa\r\n");
    say(1, "250 OK\r\n");
  }
  EXPECT_LE(out.ftp_cwd.size(), 4096u);
  EXPECT_FALSE(a.failed());
}

TEST(FtpAnalyzer, ResumesAtTheNextLineStartAfterAGap) {
  ExpectedTable ex;
  AnalyzerEnv env;
  env.expected = &ex;
  FtpAnalyzer a(env);
  FrameInfo f;
  f.has_payload = true;
  AppFrame out;
  a.data(0, bytes("USER anon"), f, out);
  a.gap(0, 10, f, out); // the end of USER and the start of the next command were lost
  a.data(0, bytes("ssword\r\nPWD\r\n"), f, out);
  a.gap(1, 5, f, out);
  a.data(1, bytes("257 \"/\"\r\n"), f, out); // after a gap even a whole line is skipped: unknowable
  a.data(1, bytes("226 Done\r\n"), f, out);
  EXPECT_FALSE(a.failed());
  ASSERT_EQ(out.ftp.size(), 2u);
  EXPECT_EQ(out.ftp[0].command, "PWD");
  EXPECT_EQ(out.ftp[1].code, 226);
}

TEST(FtpAddress, ParsesAllForms) {
  auto p = parse_ftp_hostport("Entering Passive Mode (192,168,1,200,156,90).");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->port, 156 * 256 + 90);
  EXPECT_EQ(p->ip[3], 200);
  EXPECT_FALSE(parse_ftp_hostport("300,1,1,1,1,1"));
  EXPECT_FALSE(parse_ftp_hostport("1,2,3"));
  auto e = parse_eprt("|2|fd00:77::21|6446|");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->ip_version, 6);
  EXPECT_EQ(e->port, 6446);
  EXPECT_FALSE(parse_eprt("|3|x|1|"));
  EXPECT_FALSE(parse_eprt("|1|1.2.3.4|99999|"));
  auto v = parse_epsv_reply("229 Entering Extended Passive Mode (|||40076|)");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->port, 40076);
  EXPECT_FALSE(parse_epsv_reply("229 (|||0|)"));
}

const Script kSmtp = {
    {1, "220 localhost Python SMTP 1.4.3\r\n"},
    {0, "EHLO client.corp.test\r\n"},
    {1, "250-localhost\r\n250-8BITMIME\r\n250 HELP\r\n"},
    {0, "MAIL FROM:<alice@corp.test>\r\n"},
    {1, "250 OK\r\n"},
    {0, "RCPT TO:<bob@corp.test>\r\n"},
    {1, "250 OK\r\n"},
    {0, "DATA\r\n"},
    {1, "354 End data with <CR><LF>.<CR><LF>\r\n"},
    {0, "From: alice@corp.test\r\nSubject: report\r\n\r\nline one\r\n..dot-stuffed\r\n.\r\n"},
    {1, "250 OK\r\n"},
    {0, "QUIT\r\n"},
    {1, "221 Bye\r\n"}};

TEST(SmtpAnalyzer, EverySplitPointGivesTheSameResult) {
  SmtpAnalyzer whole_a{AnalyzerEnv{}};
  AppFrame whole = run(whole_a, kSmtp, 0);
  ASSERT_EQ(whole.smtp.size(), 14u);
  EXPECT_TRUE(whole.smtp_data_end);
  EXPECT_EQ(whole.smtp_subject, "report");
  EXPECT_EQ(whole.smtp.back().code, 221);
  for (size_t cut = 1; cut < longest(kSmtp); ++cut) {
    SmtpAnalyzer a{AnalyzerEnv{}};
    AppFrame got = run(a, kSmtp, cut);
    ASSERT_EQ(got.smtp.size(), whole.smtp.size()) << cut;
    EXPECT_EQ(got.smtp_data_bytes, whole.smtp_data_bytes) << cut;
    EXPECT_TRUE(got.smtp_data_end) << cut;
    for (size_t i = 0; i < got.smtp.size(); ++i) EXPECT_EQ(got.smtp[i].line, whole.smtp[i].line) << cut;
  }
}

TEST(SmtpAnalyzer, StopsAtStartTls) {
  SmtpAnalyzer a{AnalyzerEnv{}};
  Script s = {{0, "STARTTLS\r\n"}, {1, "220 Ready to start TLS\r\n"}, {0, "\x16\x03\x01\x02\x00garbage\r\n"}};
  AppFrame got = run(a, s, 0);
  EXPECT_EQ(got.smtp.size(), 2u);
  EXPECT_TRUE(got.malformed.empty());
}

const Script kPop = {{1, "+OK ready.\r\n"},
                     {0, "USER carol\r\n"},
                     {1, "+OK\r\n"},
                     {0, "LIST\r\n"},
                     {1, "+OK 2 messages:\r\n1 10\r\n2 20\r\n.\r\n"},
                     {0, "RETR 1\r\n"},
                     {1, "+OK 10 octets\r\nSubject: x\r\n\r\nbody\r\n.\r\n"},
                     {0, "DELE 9\r\n"},
                     {1, "-ERR no such message\r\n"},
                     {0, "QUIT\r\n"},
                     {1, "+OK Logging out.\r\n"}};

TEST(Pop3Analyzer, EverySplitPointGivesTheSameResult) {
  Pop3Analyzer whole_a{AnalyzerEnv{}};
  AppFrame whole = run(whole_a, kPop, 0);
  ASSERT_EQ(whole.pop.size(), 11u); // body lines are not status lines
  EXPECT_EQ(whole.pop[4].indicator, "+OK");
  EXPECT_EQ(whole.pop[8].indicator, "-ERR");
  EXPECT_EQ(whole.pop[3].command, "LIST");
  for (size_t cut = 1; cut < longest(kPop); ++cut) {
    Pop3Analyzer a{AnalyzerEnv{}};
    AppFrame got = run(a, kPop, cut);
    ASSERT_EQ(got.pop.size(), whole.pop.size()) << cut;
    EXPECT_EQ(got.pop_data_bytes, whole.pop_data_bytes) << cut;
    for (size_t i = 0; i < got.pop.size(); ++i) EXPECT_EQ(got.pop[i].line, whole.pop[i].line) << cut;
  }
}

const Script kTelnet = {{0, std::string("\xff\xfd\x26\xff\xfb\x18", 6)},
                        {1, std::string("\xff\xfa\x18\x01\xff\xf0login: ", 13)},
                        {0, std::string("student\r\n\xff\xff", 11)}};

TEST(TelnetAnalyzer, EverySplitPointGivesTheSameCommands) {
  TelnetAnalyzer whole_a{AnalyzerEnv{}};
  AppFrame whole = run(whole_a, kTelnet, 0);
  ASSERT_EQ(whole.telnet_cmds.size(), 3u);
  EXPECT_EQ(whole.telnet_cmds[0].cmd, 253);
  EXPECT_EQ(whole.telnet_cmds[0].option, 38);
  EXPECT_EQ(whole.telnet_cmds[2].cmd, 250);
  EXPECT_EQ(whole.telnet_data_bytes, 7u + 10u); // "login: " + "student\r\n" + escaped 0xff
  EXPECT_EQ(telnet_option_name(31), "Negotiate About Window Size");
  for (size_t cut = 1; cut < longest(kTelnet); ++cut) {
    TelnetAnalyzer a{AnalyzerEnv{}};
    AppFrame got = run(a, kTelnet, cut);
    ASSERT_EQ(got.telnet_cmds.size(), whole.telnet_cmds.size()) << cut;
    EXPECT_EQ(got.telnet_data_bytes, whole.telnet_data_bytes) << cut;
  }
}

TEST(LineAnalyzers, ViolationsAndGarbageNeverCrash) {
  std::mt19937 rng(11);
  for (int round = 0; round < 100; ++round) {
    std::string junk;
    for (int i = 0; i < 3000; ++i) junk.push_back(static_cast<char>(rng() % 256));
    Script s = {{0, junk}, {1, junk}};
    ExpectedTable ex;
    AnalyzerEnv env;
    env.expected = &ex;
    FtpAnalyzer f(env);
    SmtpAnalyzer m(env);
    Pop3Analyzer p(env);
    TelnetAnalyzer t(env);
    run(f, s, 0);
    run(m, s, 0);
    run(p, s, 0);
    run(t, s, 0);
  }
  FtpAnalyzer f{AnalyzerEnv{}};
  AppFrame got = run(f, {{0, std::string("USER a\x01\x02\r\n", 10)}}, 0);
  EXPECT_FALSE(got.malformed.empty());
  EXPECT_TRUE(f.failed());
  // A line without end stops the analysis at max_message, counted as an oversize message.
  uint64_t oversize = 0;
  AnalyzerEnv small;
  small.max_message = 8192;
  small.oversize = &oversize;
  Pop3Analyzer p{small};
  got = run(p, {{1, std::string(20000, 'x')}}, 0);
  EXPECT_TRUE(p.failed());
  EXPECT_EQ(oversize, 1u);
  Pop3Analyzer q{AnalyzerEnv{}}; // the default limit (64 KiB) still holds 20,000 bytes
  run(q, {{1, std::string(20000, 'x')}}, 0);
  EXPECT_FALSE(q.failed());
}

} // namespace
} // namespace ps::app
