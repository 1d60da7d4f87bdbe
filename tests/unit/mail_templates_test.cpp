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
    for (const char* name : {"welcome", "password-reset", "course-approved", "course-rejected"}) {
        const auto m = mailer::renderMail(name, {{"firstName", "Ada\r\nBcc: x@evil.test"},
                                                 {"lastName", "L"},
                                                 {"publicUrl", "https://x.test"},
                                                 {"resetLink", "https://x.test/r?token=t"},
                                                 {"expiresAt", "soon"},
                                                 {"title", "Rust\r\nBcc: x@evil.test"},
                                                 {"courseLink", "https://x.test/courses/c"},
                                                 {"editLink", "https://x.test/courses/c/edit"},
                                                 {"reason", "r"}});
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

TEST(MailTemplates, CourseMailsNameTheCourseLinkToItAndCarryTheReasonEscapedInHtml) {
    const auto approved = mailer::renderMail("course-approved", {{"firstName", "Ada"},
                                                                 {"lastName", "L"},
                                                                 {"publicUrl", "https://x.test"},
                                                                 {"title", "C++ & <Rust>"},
                                                                 {"courseLink", "https://x.test/courses/7d1c"}});
    EXPECT_EQ(approved.subject, "Your course C++ & <Rust> is published");
    EXPECT_NE(approved.text.find("Hello Ada,"), std::string::npos) << approved.text;
    EXPECT_NE(approved.text.find("\"C++ & <Rust>\""), std::string::npos) << approved.text;
    EXPECT_NE(approved.text.find("https://x.test/courses/7d1c\r\n"), std::string::npos) << approved.text;
    EXPECT_NE(approved.html.find("<strong>C++ &amp; &lt;Rust&gt;</strong>"), std::string::npos) << approved.html;
    EXPECT_NE(approved.html.find("href=\"https://x.test/courses/7d1c\""), std::string::npos) << approved.html;

    const std::string reason = "The <b>videos</b> are missing & \"section 2\" is empty.\nPlease add them.";
    const auto rejected = mailer::renderMail("course-rejected", {{"firstName", "Ada"},
                                                                 {"lastName", "L"},
                                                                 {"publicUrl", "https://x.test"},
                                                                 {"title", "Rust"},
                                                                 {"courseLink", "https://x.test/courses/7d1c"},
                                                                 {"editLink", "https://x.test/courses/7d1c/edit"},
                                                                 {"reason", reason}});
    EXPECT_EQ(rejected.subject, "Your course Rust was not approved");
    EXPECT_NE(rejected.text.find("The <b>videos</b> are missing & \"section 2\" is empty.\r\nPlease add them."),
              std::string::npos)
        << "the reason as written, in the text part:\n"
        << rejected.text;
    EXPECT_NE(rejected.html.find("The &lt;b&gt;videos&lt;/b&gt; are missing &amp; &quot;section 2&quot; is empty."),
              std::string::npos)
        << rejected.html;
    EXPECT_EQ(rejected.html.find("<b>videos"), std::string::npos) << "no markup from the reason:\n" << rejected.html;
    EXPECT_NE(rejected.text.find("https://x.test/courses/7d1c/edit"), std::string::npos) << rejected.text;
    EXPECT_NE(rejected.html.find("href=\"https://x.test/courses/7d1c/edit\""), std::string::npos) << rejected.html;
    EXPECT_THROW(mailer::renderMail("course-rejected", {{"firstName", "Ada"}, {"title", "Rust"}}), std::invalid_argument)
        << "a rejection without its reason and link is not mailed";
}

}  // namespace
}  // namespace lms
