// The mail templates and the header-safe addresses: values escaped in HTML only, every
// placeholder filled, no header injection through a name or an address. No I/O.
#include <gtest/gtest.h>

#include <stdexcept>

#include "workers/mailer/mail.hpp"
#include "workers/mailer/templates.hpp"

namespace lms {
namespace {

TEST(MailTemplates, ValuesAreEscapedInHtmlOnlyAndEveryPlaceholderNeedsAValue) {
    using mailer::Escape;
    EXPECT_EQ(mailer::render("Hi {{n}}!", {{"n", "<Zoë & \"Al\">"}}, Escape::None), "Hi <Zoë & \"Al\">!");
    EXPECT_EQ(mailer::render("<p>{{n}}</p>", {{"n", "<b>&'\""}}, Escape::Html), "<p>&lt;b&gt;&amp;&#39;&quot;</p>");
    EXPECT_EQ(mailer::render("{{a}}{{a}}", {{"a", "{{a}}"}}, Escape::None), "{{a}}{{a}}")
        << "values are not re-expanded";
    EXPECT_THROW(mailer::render("{{missing}}", {}, Escape::None), std::invalid_argument);
    EXPECT_THROW(mailer::render("{{open", {{"open", "x"}}, Escape::None), std::invalid_argument);
    for (const char* name : {"welcome", "password-reset"}) {
        const auto m = mailer::renderMail(name, {{"firstName", "Ada\r\nBcc: x@evil.test"},
                                                 {"lastName", "L"},
                                                 {"publicUrl", "https://x.test"},
                                                 {"resetLink", "https://x.test/r?token=t"},
                                                 {"expiresAt", "soon"}});
        EXPECT_EQ(m.subject.find_first_of("\r\n"), std::string::npos) << name << ": " << m.subject;
        EXPECT_NE(m.text.find("\r\n"), std::string::npos);
        EXPECT_EQ(m.text.find("{{"), std::string::npos);
        EXPECT_EQ(m.html.find("{{"), std::string::npos);
    }
    EXPECT_EQ(mailer::mailbox("Ada \"the\" Countess", "ada@x.test"), "\"Ada \\\"the\\\" Countess\" <ada@x.test>");
    EXPECT_EQ(mailer::mailbox("Zoë", "z@x.test").rfind("=?UTF-8?B?", 0), 0u);
    EXPECT_FALSE(mailer::isSafeAddress("a@b.test>\r\nBcc: c@d.test"));
    EXPECT_TRUE(mailer::isSafeAddress("ada+tag@example.org"));
}

}  // namespace
}  // namespace lms
