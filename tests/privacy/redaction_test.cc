#include "privacy/redaction.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/order.h"

namespace orderpilot::privacy {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

Order FrenchOrder() {
  Order o;
  o.channel = "shopify";
  o.number = "#1042";
  o.email = "Marie.Dupont@Example.fr";
  o.phone = "+33 6 12 34 56 78";
  o.customer.first_name = "Marie";
  o.customer.last_name = "Dupont";
  o.customer.email = "marie.dupont@example.fr";
  Address ship;
  ship.first_name = "Jean";
  ship.last_name = "Lefèvre";
  ship.company = "Atelier Lumière SARL";
  ship.address1 = "12 Rue de Rivoli";
  ship.address2 = "Bâtiment B, 3e étage";
  ship.city = "Paris";
  ship.zip = "75001";
  ship.country_code = "FR";
  ship.phone = "01 42 60 30 30";
  o.shipping_address = ship;
  Address bill = ship;
  bill.first_name = "Marie";
  bill.last_name = "Dupont";
  bill.company = "";
  bill.phone = "";
  o.billing_address = bill;
  o.client.browser_ip = "83.202.17.45";
  return o;
}

TEST(KnownValuesOf, NamesTheCustomerAndOtherPeopleApart) {
  std::vector<KnownValue> values = KnownValuesOf(FrenchOrder());
  auto label_of = [&](std::string_view value) -> std::string {
    for (const KnownValue& v : values)
      if (v.value == value) return v.label;
    return "<absent>";
  };
  EXPECT_EQ(label_of("Marie Dupont"), "CUSTOMER_NAME");
  EXPECT_EQ(label_of("Marie"), "CUSTOMER_FIRST_NAME");
  EXPECT_EQ(label_of("Dupont"), "CUSTOMER_LAST_NAME");
  EXPECT_EQ(label_of("Jean Lefèvre"), "NAME_1");
  EXPECT_EQ(label_of("Jean"), "FIRST_NAME_1");
  EXPECT_EQ(label_of("12 Rue de Rivoli"), "");
  EXPECT_EQ(label_of("83.202.17.45"), "");
  EXPECT_EQ(label_of("75001"), "");
}

TEST(KnownValuesOf, TakesTheCustomerNameFromTheBillingAddressWhenMissing) {
  Order o = FrenchOrder();
  o.customer.first_name.clear();
  o.customer.last_name.clear();
  Redactor r(o);
  EXPECT_EQ(r.Redact("Hi Marie Dupont"), "Hi [CUSTOMER_NAME]");
}

TEST(Redactor, ReplacesKnownNamesCaseInsensitively) {
  Redactor r(FrenchOrder());
  EXPECT_EQ(r.Redact("Customer MARIE DUPONT wrote; marie says thanks. Dupont."),
            "Customer [CUSTOMER_NAME] wrote; [CUSTOMER_FIRST_NAME] says thanks. "
            "[CUSTOMER_LAST_NAME].");
}

TEST(Redactor, FoldsLatinOneCapitals) {
  Redactor r(FrenchOrder());
  EXPECT_EQ(r.Redact("Deliver to JEAN LEFÈVRE please"), "Deliver to [NAME_1] please");
}

TEST(Redactor, MatchesNamesOnlyAsWholeWords) {
  Redactor r(FrenchOrder());
  EXPECT_EQ(r.Redact("Mariekerke and Jeanne"), "Mariekerke and Jeanne");
}

TEST(Redactor, AnyWhiteSpaceMatchesAnyWhiteSpace) {
  Redactor r(FrenchOrder());
  EXPECT_EQ(r.Redact("Marie\n  Dupont"), "[CUSTOMER_NAME]");
  EXPECT_EQ(r.Redact("12  rue de\trivoli"), "[ADDRESS_1]");
}

TEST(Redactor, ReplacesEmailsCaseInsensitivelyWithOnePlaceholder) {
  Redactor r(FrenchOrder());
  // The order's and the customer's emails differ only in case: one value, one placeholder.
  EXPECT_EQ(r.Redact("from MARIE.DUPONT@EXAMPLE.FR, cc marie.dupont@example.fr"),
            "from [EMAIL_1], cc [EMAIL_1]");
}

TEST(Redactor, FindsUnknownEmailsAndNumbersThemAfterTheKnownOnes) {
  Redactor r(FrenchOrder());
  EXPECT_EQ(r.Redact("forward to paul.martin+orders@gmail.com or compta@atelier.example.com."),
            "forward to [EMAIL_2] or [EMAIL_3].");
  EXPECT_EQ(r.Redact("again: Paul.Martin+orders@gmail.com"), "again: [EMAIL_2]");
}

TEST(Redactor, MatchesKnownPhonesByDigitsWhateverTheFormatting) {
  Redactor r(FrenchOrder());
  for (std::string_view phone :
       {"+33 6 12 34 56 78", "+33612345678", "06 12 34 56 78", "06.12.34.56.78", "06-12-34-56-78",
        "0033 6 12 34 56 78", "(+33) 6 12 34 56 78"}) {
    EXPECT_EQ(r.Redact(std::string("call ") + std::string(phone) + " now"), "call [PHONE_1] now")
        << phone;
  }
  EXPECT_EQ(r.Redact("shop line 01 42 60 30 30"), "shop line [PHONE_2]");
}

TEST(Redactor, FindsAKnownPhoneInsideALongerRunOfNumbers) {
  Redactor r(FrenchOrder());
  EXPECT_EQ(r.Redact("qty 3 0612345678"), "qty 3 [PHONE_1]");
}

TEST(Redactor, FindsUnknownPhones) {
  Redactor r(FrenchOrder());
  EXPECT_EQ(r.Redact("my husband: +1 (415) 555-0100"), "my husband: [PHONE_3]");
  EXPECT_EQ(r.Redact("or 415-555-0100"), "or [PHONE_3]");  // same last digits, same placeholder
  EXPECT_EQ(r.Redact("UK 020 7946 0958"), "UK [PHONE_4]");
  EXPECT_EQ(r.Redact("Handy 0151 23456789"), "Handy [PHONE_5]");
}

TEST(Redactor, LeavesDatesPricesAndIdsAlone) {
  Redactor r;
  for (std::string_view text :
       {"shipped 2024-05-01 10:30", "on 01/05/2024 at 14:00", "total 1 234,56 EUR",
        "order #1042, 3 items, SKU TSHIRT-42-XL", "Shopify order 5551234567890",
        "tracking 1Z999AA10123456784", "qty 2 4 6 8", "version 1.2.3"}) {
    EXPECT_EQ(r.Redact(text), text);
  }
}

TEST(Redactor, ReplacesKnownAddressPostcodeCityAndCompany) {
  Redactor r(FrenchOrder());
  EXPECT_EQ(r.Redact("Ship to Atelier Lumière SARL, 12 Rue de Rivoli, Bâtiment B, 3e étage, "
                     "75001 Paris, France"),
            "Ship to [COMPANY_1], [ADDRESS_1], [ADDRESS_2], [POSTCODE_1] [CITY_1], France");
}

TEST(Redactor, ReplacesKnownAndUnknownIps) {
  Redactor r(FrenchOrder());
  EXPECT_EQ(r.Redact("ip 83.202.17.45, proxy 10.0.0.7, v6 2001:db8::42."),
            "ip [IP_1], proxy [IP_2], v6 [IP_3].");
  EXPECT_EQ(r.Redact("at 12:30:45 and 999.1.1.1"), "at 12:30:45 and 999.1.1.1");
}

TEST(Redactor, ReplacesCardsAndRefillsOnlyTheMarker) {
  Redactor r(FrenchOrder());
  std::string out = r.Redact("my card 4111 1111 1111 1111 cvv: 123");
  EXPECT_EQ(out, "my card [CARD_1] cvv: [CVV_1]");
  std::string back = r.Refill(out);
  EXPECT_THAT(back, Not(HasSubstr("4111 1111 1111 1111")));
  EXPECT_THAT(back, HasSubstr("[card visa 411111"));
  EXPECT_THAT(back, HasSubstr("[cvv removed]"));
  for (const auto& [placeholder, value] : r.placeholders()) {
    EXPECT_THAT(value, Not(HasSubstr("4111111111111111")));
    EXPECT_THAT(value, Not(HasSubstr("1111 1111 1111")));
  }
}

struct StreetCase {
  std::string_view text;
  std::string_view want;
};

TEST(Redactor, FindsUnknownStreetAddresses) {
  const StreetCase cases[] = {
      {"send it to 5 Avenue Anatole France instead", "send it to [ADDRESS_1] instead"},
      {"new address: 1600 Amphitheatre Pkwy, Mountain View",
       "new address: [ADDRESS_1], "
       "Mountain View"},
      {"1600 Pennsylvania Avenue NW", "[ADDRESS_1]"},
      {"221B Baker Street, London", "[ADDRESS_1], London"},
      {"Lieferung an Hauptstraße 5, Berlin", "Lieferung an [ADDRESS_1], Berlin"},
      {"bitte Berliner Straße 12a", "bitte [ADDRESS_1]"},
      {"spedire a Via Roma 10", "spedire a [ADDRESS_1]"},
      {"Calle Mayor, 5, Madrid", "[ADDRESS_1], Madrid"},
      {"habite 8, rue de la paix depuis", "habite [ADDRESS_1] depuis"},
      {"I moved to 42 main street", "I moved to [ADDRESS_1]"},
      {"Karl-Marx-Allee 33", "[ADDRESS_1]"},
      {"Kalverstraat 92 Amsterdam", "[ADDRESS_1] Amsterdam"},
      {"PO Box 1234", "[ADDRESS_1]"},
      {"Apt 4B", "[ADDRESS_1]"},
  };
  for (const StreetCase& c : cases) {
    Redactor r;
    EXPECT_EQ(r.Redact(c.text), c.want) << c.text;
  }
}

TEST(Redactor, LeavesOrdinaryWordsNearNumbersAlone) {
  const std::string_view texts[] = {
      "please send 2 parcels to the street",
      "we need 3 more days",
      "the way 2 go",
      "Ring 5 times",
      "Main Street is closed",
      "2 Place settings",
  };
  for (std::string_view text : texts) {
    Redactor r;
    EXPECT_EQ(r.Redact(text), text);
  }
}

TEST(Redactor, AStreetAroundAKnownNameComesBackWhole) {
  Redactor r(FrenchOrder());
  std::string text = "Deliver to 7 Rue Marie Curie";
  std::string out = r.Redact(text);
  EXPECT_THAT(out, Not(HasSubstr("Curie")));
  EXPECT_THAT(out, Not(HasSubstr("Marie")));
  EXPECT_EQ(r.Refill(out), text);
}

TEST(Redactor, PlaceholdersAreStableAcrossCalls) {
  Redactor r(FrenchOrder());
  std::string a = r.Redact("Write to bob@example.com about 10 Downing Street");
  std::string b = r.Redact("Bob@Example.com moved from 10 downing street");
  EXPECT_EQ(a, "Write to [EMAIL_2] about [ADDRESS_3]");
  EXPECT_EQ(b, "[EMAIL_2] moved from [ADDRESS_3]");
}

TEST(Redactor, RefillRestoresTheOriginal) {
  Redactor r(FrenchOrder());
  std::string text =
      "Marie Dupont (marie.dupont@example.fr, 06 12 34 56 78) asks to ship to her office at 12 "
      "Rue de Rivoli, 75001 Paris instead of 3 Avenue Foch. Her colleague: paul@corp.example, "
      "+44 20 7946 0958. IP 83.202.17.45.";
  std::string out = r.Redact(text);
  for (std::string_view secret : {"Marie", "Dupont", "marie.dupont", "06 12", "Rivoli", "75001",
                                  "Paris", "Foch", "paul@", "7946", "83.202"}) {
    EXPECT_THAT(out, Not(HasSubstr(secret))) << out;
  }
  EXPECT_THAT(r.FindLeaks(out), IsEmpty());
  // Known values come back in the order's spelling; everything else as it was written.
  std::string back = r.Refill(out);
  EXPECT_THAT(back, HasSubstr("Marie Dupont (Marie.Dupont@Example.fr, +33 6 12 34 56 78)"));
  EXPECT_THAT(back, HasSubstr("12 Rue de Rivoli, 75001 Paris instead of 3 Avenue Foch."));
  EXPECT_THAT(back, HasSubstr("paul@corp.example, +44 20 7946 0958. IP 83.202.17.45."));
}

TEST(Redactor, RefillLeavesUnknownPlaceholdersAndBracketsAlone) {
  Redactor r(FrenchOrder());
  EXPECT_EQ(r.Refill("[EMAIL_99] [note] [ [CUSTOMER_NAME]"), "[EMAIL_99] [note] [ Marie Dupont");
}

TEST(Redactor, ExtraValuesGetTheirLabelOrANumber) {
  Redactor r(FrenchOrder(), {{ValueKind::kOther, "LOYAL-77-ALPHA"},
                             {ValueKind::kOther, "@marie_d", "INSTAGRAM"},
                             {ValueKind::kName, "Grandma Dupont-Roux"}});
  EXPECT_EQ(r.Redact("card LOYAL-77-ALPHA, insta @marie_d, gift for grandma dupont-roux"),
            "card [VALUE_1], insta [INSTAGRAM], gift for [NAME_2]");
}

TEST(Redactor, IgnoresOneLetterValues) {
  Redactor r;
  r.AddKnown({ValueKind::kName, "J"});
  EXPECT_EQ(r.Redact("J and j"), "J and j");
}

TEST(Redactor, PrefersTheLongestKnownValue) {
  Redactor r(FrenchOrder());
  // "Marie Dupont" and "Marie" both start here; the full name wins.
  EXPECT_EQ(r.Redact("Marie Dupont and Marie"), "[CUSTOMER_NAME] and [CUSTOMER_FIRST_NAME]");
}

TEST(Redactor, KnownValueInsideAPlaceholderIsNotReplaced) {
  Redactor r;
  r.AddKnown({ValueKind::kOther, "VIP", "VIP"});
  r.AddKnown({ValueKind::kName, "Customer"});
  std::string once = r.Redact("vip customer");
  EXPECT_EQ(once, "[VIP] [NAME_1]");
  EXPECT_EQ(r.Redact(once), once);  // redacting twice changes nothing
}

TEST(Redactor, FindLeaksNamesKnownValuesAndCardsWithoutTheirText) {
  Redactor r(FrenchOrder());
  std::string text = "x dupont y 06-12-34-56-78 z 4111111111111111";
  std::vector<Leak> leaks = r.FindLeaks(text);
  ASSERT_EQ(leaks.size(), 3u);
  EXPECT_EQ(leaks[0].placeholder, "[CUSTOMER_LAST_NAME]");
  EXPECT_EQ(text.substr(leaks[0].offset, leaks[0].length), "dupont");
  EXPECT_EQ(leaks[1].placeholder, "[PHONE_1]");
  EXPECT_EQ(leaks[2].kind, Leak::Kind::kCard);
  EXPECT_EQ(leaks[2].placeholder, "[CARD]");
}

TEST(Redactor, FindLeaksIsEmptyForAnyRedactedOutput) {
  Redactor r(FrenchOrder());
  const std::string_view texts[] = {
      "MARIE DUPONT, 0612345678, 12 rue de rivoli 75001 paris",
      "{\"note\": \"call Jean at +33 1 42 60 30 30\", \"ip\": \"83.202.17.45\"}",
      "Atelier Lumière SARL / marie.dupont@example.fr / 5555 5555 5555 4444",
  };
  for (std::string_view text : texts) {
    std::string out = r.Redact(text);
    EXPECT_THAT(r.FindLeaks(out), IsEmpty()) << out;
  }
}

TEST(Redactor, EmptyRedactorStillScansFreeText) {
  Redactor r;
  EXPECT_EQ(r.Redact("a@b.co 192.168.1.20 +49 30 1234567"), "[EMAIL_1] [IP_1] [PHONE_1]");
  EXPECT_EQ(r.Redact(""), "");
}

}  // namespace
}  // namespace orderpilot::privacy
