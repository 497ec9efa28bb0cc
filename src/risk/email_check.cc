#include "risk/email_check.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

namespace orderpilot::risk {
namespace {

// Well-known disposable (throw-away) mail domains, sorted (checked at compile time below).
constexpr std::string_view kDisposableDomains[] = {
    "0-mail.com",
    "0815.ru",
    "10mail.org",
    "10minutemail.co.uk",
    "10minutemail.com",
    "10minutemail.de",
    "10minutemail.net",
    "10minutemail.org",
    "1secmail.com",
    "1secmail.net",
    "1secmail.org",
    "20minutemail.com",
    "2prong.com",
    "33mail.com",
    "4warding.com",
    "anonbox.net",
    "antispam.de",
    "armyspy.com",
    "beefmilk.com",
    "binkmail.com",
    "bobmail.info",
    "bofthew.com",
    "brefmail.com",
    "bugmenot.com",
    "bumpymail.com",
    "burnermail.io",
    "byom.de",
    "chitthi.in",
    "clrmail.com",
    "cool.fr.nf",
    "courriel.fr.nf",
    "crazymailing.com",
    "cuvox.de",
    "dayrep.com",
    "dcctb.com",
    "deadaddress.com",
    "despam.it",
    "devnullmail.com",
    "disbox.net",
    "discard.email",
    "discardmail.com",
    "discardmail.de",
    "dispostable.com",
    "dodgeit.com",
    "dontreg.com",
    "dontsendmespam.de",
    "dpptd.com",
    "dropmail.me",
    "e4ward.com",
    "einrot.com",
    "email-fake.com",
    "email60.com",
    "emailfake.com",
    "emailias.com",
    "emailondeck.com",
    "emailsensei.com",
    "emailtemporario.com.br",
    "emailwarden.com",
    "emltmp.com",
    "ephemail.net",
    "esiix.com",
    "fakeinbox.com",
    "fakemailgenerator.com",
    "fexbox.org",
    "fexpost.com",
    "fextemp.com",
    "filzmail.com",
    "fleckens.hu",
    "generator.email",
    "getairmail.com",
    "getnada.com",
    "getonemail.com",
    "grr.la",
    "guerrillamail.biz",
    "guerrillamail.com",
    "guerrillamail.de",
    "guerrillamail.info",
    "guerrillamail.net",
    "guerrillamail.org",
    "guerrillamailblock.com",
    "gustr.com",
    "haltospam.com",
    "harakirimail.com",
    "hidemail.de",
    "hmamail.com",
    "hochsitze.com",
    "ieatspam.eu",
    "ieatspam.info",
    "imails.info",
    "inboxalias.com",
    "inboxkitten.com",
    "incognitomail.com",
    "incognitomail.org",
    "insorg-mail.info",
    "ipoo.org",
    "irish2me.com",
    "jetable.com",
    "jetable.fr.nf",
    "jetable.net",
    "jetable.org",
    "jourrapide.com",
    "kasmail.com",
    "killmail.com",
    "killmail.net",
    "klassmaster.com",
    "kurzepost.de",
    "kzccv.com",
    "lifebyfood.com",
    "lookugly.com",
    "lortemail.dk",
    "lr78.com",
    "luxusmail.org",
    "mail-temporaire.fr",
    "mail.tm",
    "mail4trash.com",
    "mail7.io",
    "mailbidon.com",
    "mailbox.in.ua",
    "mailcatch.com",
    "maildrop.cc",
    "maileater.com",
    "mailexpire.com",
    "mailforspam.com",
    "mailfreeonline.com",
    "mailin8r.com",
    "mailinater.com",
    "mailinator.com",
    "mailinator.net",
    "mailinator.org",
    "mailinator2.com",
    "mailincubator.com",
    "mailme.lv",
    "mailmetrash.com",
    "mailmoat.com",
    "mailnator.com",
    "mailnesia.com",
    "mailnull.com",
    "mailpoof.com",
    "mailsac.com",
    "mailshell.com",
    "mailsiphon.com",
    "mailslite.com",
    "mailtemp.info",
    "mailto.plus",
    "mailzilla.com",
    "mbx.cc",
    "mega.zik.dyndns.org",
    "meltmail.com",
    "merepost.com",
    "messagebeamer.de",
    "mierdamail.com",
    "mintemail.com",
    "moakt.cc",
    "moakt.com",
    "mohmal.com",
    "moncourrier.fr.nf",
    "monemail.fr.nf",
    "monmail.fr.nf",
    "mt2015.com",
    "mvrht.com",
    "my10minutemail.com",
    "mypartyclip.de",
    "myphantomemail.com",
    "mytemp.email",
    "mytrashmail.com",
    "nada.email",
    "neomailbox.com",
    "nepwk.com",
    "nervmich.net",
    "nervtmich.net",
    "netmails.com",
    "netmails.net",
    "neverbox.com",
    "no-spam.ws",
    "nobulk.com",
    "noclickemail.com",
    "nogmailspam.info",
    "nomail.xl.cx",
    "nomail2me.com",
    "nomorespamemails.com",
    "nospam.ze.tc",
    "nospam4.us",
    "nospamfor.us",
    "nospamthanks.info",
    "notmailinator.com",
    "nowmymail.com",
    "nurfuerspam.de",
    "objectmail.com",
    "obobbo.com",
    "oneoffemail.com",
    "onewaymail.com",
    "owlpic.com",
    "pokemail.net",
    "pookmail.com",
    "proxymail.eu",
    "punkass.com",
    "putthisinyourspamdatabase.com",
    "qiott.com",
    "quickinbox.com",
    "rcpt.at",
    "recode.me",
    "recursor.net",
    "regbypass.com",
    "rhyta.com",
    "rmqkr.net",
    "rover.info",
    "rppkn.com",
    "rtrtr.com",
    "s0ny.net",
    "safetymail.info",
    "safetypost.de",
    "sandelf.de",
    "saynotospams.com",
    "selfdestructingmail.com",
    "sendspamhere.com",
    "sharklasers.com",
    "shiftmail.com",
    "shitmail.me",
    "shortmail.net",
    "skeefmail.com",
    "slaskpost.se",
    "slopsbox.com",
    "smellfear.com",
    "snakemail.com",
    "sneakemail.com",
    "sofort-mail.de",
    "sogetthis.com",
    "soodonims.com",
    "spam.la",
    "spam.su",
    "spam4.me",
    "spamavert.com",
    "spambob.com",
    "spambob.net",
    "spambob.org",
    "spambog.com",
    "spambog.de",
    "spambog.ru",
    "spambox.info",
    "spambox.us",
    "spamcannon.com",
    "spamcannon.net",
    "spamcero.com",
    "spamcon.org",
    "spamcorptastic.com",
    "spamcowboy.com",
    "spamcowboy.net",
    "spamcowboy.org",
    "spamday.com",
    "spamdecoy.net",
    "spamex.com",
    "spamfree.eu",
    "spamfree24.org",
    "spamgourmet.com",
    "spamgourmet.net",
    "spamgourmet.org",
    "spamherelots.com",
    "spamhole.com",
    "spamify.com",
    "spaminator.de",
    "spamkill.info",
    "spaml.com",
    "spaml.de",
    "spammotel.com",
    "spamobox.com",
    "spamoff.de",
    "spamslicer.com",
    "spamspot.com",
    "spamthis.co.uk",
    "spamthisplease.com",
    "spamtrail.com",
    "speed.1s.fr",
    "supermailer.jp",
    "superrito.com",
    "suremail.info",
    "teleworm.us",
    "temp-mail.io",
    "temp-mail.org",
    "temp-mail.ru",
    "tempail.com",
    "tempalias.com",
    "tempe-mail.com",
    "tempemail.biz",
    "tempemail.com",
    "tempemail.net",
    "tempinbox.com",
    "tempmail.com",
    "tempmail.dev",
    "tempmail.it",
    "tempmail.net",
    "tempmail2.com",
    "tempmailaddress.com",
    "tempmailo.com",
    "tempomail.fr",
    "temporaryemail.net",
    "temporaryinbox.com",
    "tempr.email",
    "tempymail.com",
    "thanksnospam.info",
    "thisisnotmyrealemail.com",
    "throwam.com",
    "throwawayemailaddress.com",
    "throwawaymail.com",
    "tilien.com",
    "tmail.ws",
    "tmailinator.com",
    "tmails.net",
    "tmpmail.net",
    "tmpmail.org",
    "tradermail.info",
    "trash-amil.com",
    "trash-mail.at",
    "trash-mail.com",
    "trash-mail.de",
    "trash2009.com",
    "trash2010.com",
    "trashdevil.com",
    "trashemail.de",
    "trashmail.at",
    "trashmail.com",
    "trashmail.de",
    "trashmail.io",
    "trashmail.me",
    "trashmail.net",
    "trashmail.org",
    "trashmail.ws",
    "trashmailer.com",
    "trashymail.com",
    "trashymail.net",
    "trbvm.com",
    "turual.com",
    "twinmail.de",
    "tyldd.com",
    "uggsrock.com",
    "upliftnow.com",
    "uplipht.com",
    "venompen.com",
    "veryrealemail.com",
    "viditag.com",
    "vomoto.com",
    "webm4il.info",
    "wegwerfadresse.de",
    "wegwerfemail.de",
    "wegwerfmail.de",
    "wegwerfmail.net",
    "wegwerfmail.org",
    "wh4f.org",
    "whyspam.me",
    "willselfdestruct.com",
    "wimsg.com",
    "wronghead.com",
    "wuzup.net",
    "wuzupmail.net",
    "wwjmp.com",
    "xagloo.com",
    "xemaps.com",
    "xents.com",
    "xmaily.com",
    "xojxe.com",
    "xoxy.net",
    "yep.it",
    "yogamaven.com",
    "yoggm.com",
    "yomail.info",
    "yopmail.com",
    "yopmail.fr",
    "yopmail.net",
    "yuurok.com",
    "zehnminutenmail.de",
    "zetmail.com",
    "zippymail.info",
    "zoemail.net",
    "zoemail.org",
};

constexpr bool DomainsSorted() {
  for (size_t i = 1; i < std::size(kDisposableDomains); ++i) {
    if (!(kDisposableDomains[i - 1] < kDisposableDomains[i])) return false;
  }
  return true;
}
static_assert(DomainsSorted(), "kDisposableDomains must be sorted for binary search");

// Names and address words whose letter pairs count as "seen" (see EmailRandomness).
// clang-format off
constexpr std::string_view kNameCorpus[] = {
    // English given names
    "james", "john", "robert", "michael", "william", "david", "richard", "joseph", "thomas",
    "charles", "christopher", "daniel", "matthew", "anthony", "mark", "donald", "steven", "paul",
    "andrew", "joshua", "kenneth", "kevin", "brian", "george", "timothy", "ronald", "edward",
    "jason", "jeffrey", "ryan", "jacob", "gary", "nicholas", "eric", "jonathan", "stephen", "larry",
    "justin", "scott", "brandon", "benjamin", "samuel", "gregory", "alexander", "frank", "patrick",
    "raymond", "jack", "dennis", "jerry", "tyler", "aaron", "jose", "adam", "nathan", "henry",
    "douglas", "zachary", "peter", "kyle", "ethan", "walter", "noah", "jeremy", "christian",
    "keith", "roger", "terry", "gerald", "harold", "sean", "austin", "carl", "arthur", "lawrence",
    "dylan", "jesse", "jordan", "bryan", "billy", "joe", "bruce", "gabriel", "logan", "albert",
    "willie", "alan", "juan", "wayne", "elijah", "randy", "roy", "vincent", "ralph", "eugene",
    "russell", "bobby", "mason", "philip", "louis", "mary", "patricia", "jennifer", "linda",
    "elizabeth", "barbara", "susan", "jessica", "sarah", "karen", "lisa", "nancy", "betty",
    "margaret", "sandra", "ashley", "kimberly", "emily", "donna", "michelle", "carol", "amanda",
    "dorothy", "melissa", "deborah", "stephanie", "rebecca", "sharon", "laura", "cynthia",
    "kathleen", "amy", "angela", "shirley", "anna", "brenda", "pamela", "emma", "nicole", "helen",
    "samantha", "katherine", "christine", "debra", "rachel", "carolyn", "janet", "catherine",
    "maria", "heather", "diane", "ruth", "julie", "olivia", "joyce", "virginia", "victoria",
    "kelly", "lauren", "christina", "joan", "evelyn", "judith", "megan", "andrea", "cheryl",
    "hannah", "jacqueline", "martha", "gloria", "teresa", "ann", "sara", "madison", "frances",
    "kathryn", "janice", "jean", "abigail", "alice", "judy", "sophia", "grace", "denise", "amber",
    "doris", "marilyn", "danielle", "beverly", "isabella", "theresa", "diana", "natalie",
    "brittany", "charlotte", "marie", "kayla", "alexis", "lori", "jane", "chloe", "zoe", "lily",
    "ava", "mia", "harper", "aria", "scarlett", "penelope", "layla", "riley", "nora", "zoey",
    "mila", "aubrey", "hazel", "ellie", "stella", "paisley", "violet", "skylar", "claire", "bella",
    "lucy", "leah", "audrey", "brooklyn", "savannah", "quinn", "jade", "ivy", "ruby", "willow",
    "luke", "owen", "caleb", "isaac", "liam", "oliver", "lucas", "aiden", "jayden", "wyatt",
    "hudson", "lincoln", "hunter", "connor", "eli", "landon", "colton", "cameron", "carter",
    "jaxon", "easton", "nolan", "levi", "isaiah", "josiah", "grayson", "mike", "tom", "tim", "jim",
    "bob", "bill", "ben", "sam", "max", "alex", "chris", "dan", "matt", "nick", "tony", "steve",
    "dave", "rob", "kate", "katie", "jen", "jenny", "becky", "beth", "liz", "meg", "molly", "polly",
    "sally", "nina", "tina", "gina", "rita", "vicky", "wendy",
    // Other languages
    "hans", "jurgen", "klaus", "wolfgang", "stefan", "andreas", "markus", "tobias", "lukas",
    "felix", "florian", "sebastian", "christoph", "matthias", "sabine", "ursula", "monika", "petra",
    "claudia", "birgit", "heike", "katrin", "anja", "franziska", "pierre", "jean", "francois",
    "nicolas", "olivier", "philippe", "laurent", "julien", "guillaume", "mathieu", "antoine",
    "camille", "celine", "sylvie", "nathalie", "isabelle", "sophie", "amelie", "juliette", "manon",
    "chloe", "giuseppe", "giovanni", "francesco", "alessandro", "marco", "luca", "matteo",
    "lorenzo", "andrea", "giulia", "chiara", "francesca", "federica", "valentina", "alessia",
    "carlos", "javier", "miguel", "alejandro", "pablo", "diego", "sergio", "jorge", "fernando",
    "ricardo", "eduardo", "manuel", "francisco", "antonio", "rafael", "lucia", "carmen", "isabel",
    "elena", "pilar", "dolores", "rosa", "ana", "paula", "joao", "pedro", "gustavo", "thiago",
    "rodrigo", "fernanda", "beatriz", "mariana", "larissa", "camila", "ivan", "dmitri", "sergei",
    "vladimir", "alexei", "nikolai", "mikhail", "andrei", "olga", "natalia", "tatiana", "svetlana",
    "irina", "ekaterina", "anastasia", "yulia", "piotr", "krzysztof", "tomasz", "pawel", "marcin",
    "agnieszka", "katarzyna", "malgorzata", "jan", "lars", "anders", "erik", "nils", "sven",
    "bjorn", "ingrid", "astrid", "sigrid", "freja", "mohammed", "muhammad", "ahmed", "ali", "omar",
    "hassan", "hussein", "mahmoud", "youssef", "khalid", "ibrahim", "fatima", "aisha", "zainab",
    "mariam", "layla", "noor", "rahul", "amit", "rajesh", "sanjay", "vijay", "anil", "suresh",
    "ramesh", "deepak", "arjun", "priya", "pooja", "anjali", "sunita", "kavita", "neha", "divya",
    "lakshmi", "krishna", "srinivas", "wei", "wang", "zhang", "liu", "chen", "yang", "huang",
    "zhao", "zhou", "xu", "sun", "zhu", "gao", "lin", "guo", "xiao", "ming", "hui", "jing", "ying",
    "xiang", "qiang", "jun", "hong", "hiroshi", "takashi", "kenji", "yuki", "haruto", "sakura",
    "yumi", "akiko", "tanaka", "suzuki", "sato", "takahashi", "watanabe", "kim", "lee", "park",
    "choi", "jung", "kang", "cho", "yoon", "jang", "nguyen", "tran", "pham", "hoang", "phan",
    "thanh", "minh", "oluwaseun", "chukwuemeka", "adebayo", "ngozi", "kwame", "kofi", "amara",
    "thabo",
    // Surnames
    "smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez",
    "martinez", "hernandez", "lopez", "gonzalez", "wilson", "anderson", "thomas", "taylor", "moore",
    "jackson", "martin", "lee", "perez", "thompson", "white", "harris", "sanchez", "clark",
    "ramirez", "lewis", "robinson", "walker", "young", "allen", "king", "wright", "scott", "torres",
    "nguyen", "hill", "flores", "green", "adams", "nelson", "baker", "hall", "rivera", "campbell",
    "mitchell", "carter", "roberts", "gomez", "phillips", "evans", "turner", "diaz", "parker",
    "cruz", "edwards", "collins", "reyes", "stewart", "morris", "morales", "murphy", "cook",
    "rogers", "gutierrez", "ortiz", "morgan", "cooper", "peterson", "bailey", "reed", "kelly",
    "howard", "ramos", "cox", "ward", "richardson", "watson", "brooks", "chavez", "wood", "bennett",
    "gray", "mendoza", "ruiz", "hughes", "price", "alvarez", "castillo", "sanders", "patel",
    "myers", "long", "ross", "foster", "jimenez", "powell", "jenkins", "perry", "russell",
    "sullivan", "bell", "coleman", "butler", "henderson", "barnes", "fisher", "vasquez", "simmons",
    "graham", "mcdonald", "marshall", "owens", "harrison", "gibson", "wallace", "schmidt",
    "schneider", "fischer", "weber", "meyer", "wagner", "becker", "schulz", "hoffmann", "koch",
    "richter", "klein", "wolf", "schroeder", "neumann", "schwarz", "zimmermann", "braun", "kruger",
    "hofmann", "hartmann", "lange", "schmitt", "werner", "krause", "lehmann", "bernard", "dubois",
    "durand", "leroy", "moreau", "simon", "laurent", "lefebvre", "michel", "fournier", "girard",
    "bonnet", "rossi", "russo", "ferrari", "esposito", "bianchi", "romano", "colombo", "ricci",
    "marino", "greco", "bruno", "gallo", "conti", "costa", "silva", "santos", "oliveira", "souza",
    "pereira", "ferreira", "almeida", "carvalho", "ivanov", "smirnov", "kuznetsov", "popov",
    "petrov", "sokolov", "nowak", "kowalski", "wisniewski", "wojcik", "kowalczyk", "jansen",
    "devries", "bakker", "visser", "smit", "mulder", "dejong", "vandenberg", "johansson",
    "andersson", "karlsson", "nilsson", "eriksson", "larsson", "olsen", "hansen", "kumar", "sharma",
    "singh", "gupta", "reddy", "iyer", "rao", "das", "shah", "mehta", "khan", "murray", "obrien",
    "ryan", "oconnor", "walsh", "byrne", "mccarthy", "doyle", "kennedy", "macdonald", "fraser",
    "stewart", "thomson", "mcleod", "wright", "knight", "fletcher",
    // Words people put in addresses
    "info", "admin", "contact", "sales", "support", "hello", "office", "mail", "email", "shop",
    "store", "team", "service", "news", "billing", "orders", "order", "the", "and", "love", "cool",
    "dragon", "star", "music", "gamer", "angel", "baby", "happy", "sunny", "blue", "red", "black",
    "dark", "king", "queen", "master", "super", "best", "life", "world", "online", "official",
    "real", "family", "home", "design", "studio", "photo", "travel", "books", "fashion", "beauty",
    "fitness", "sports", "football", "soccer", "golf", "tennis", "rock", "metal", "jazz", "art",
    "tech", "web", "dev", "media", "company", "group", "accounts", "finance", "marketing",
    "purchasing", "hr", "jobs", "careers", "help", "desk", "noreply", "reply", "user", "test",
    "guest", "customer", "client", "buyer", "seller", "private", "personal", "work", "business",
    "mom", "dad", "kids", "garden", "kitchen", "coffee", "tea",
};
// clang-format on

// Seen[a][b]: whether letter pair (a, b) occurs in kNameCorpus.
using BigramTable = std::array<std::array<bool, 26>, 26>;

const BigramTable& SeenBigrams() {
  static const BigramTable table = [] {
    BigramTable t{};
    for (std::string_view word : kNameCorpus) {
      for (size_t i = 1; i < word.size(); ++i) {
        const char a = word[i - 1];
        const char b = word[i];
        if (a >= 'a' && a <= 'z' && b >= 'a' && b <= 'z') t[a - 'a'][b - 'a'] = true;
      }
    }
    return t;
  }();
  return table;
}

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }
bool IsLetter(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsVowel(char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}
double Ramp(double x, double lo, double hi) { return std::clamp((x - lo) / (hi - lo), 0.0, 1.0); }

}  // namespace

std::optional<EmailParts> SplitEmail(std::string_view email) {
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.front()))) {
    email.remove_prefix(1);
  }
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.back()))) {
    email.remove_suffix(1);
  }
  const size_t at = email.rfind('@');
  if (at == std::string_view::npos) return std::nullopt;
  EmailParts parts;
  for (char c : email.substr(0, at)) parts.local.push_back(Lower(c));
  for (char c : email.substr(at + 1)) parts.domain.push_back(Lower(c));
  while (!parts.domain.empty() && parts.domain.back() == '.') parts.domain.pop_back();
  if (parts.local.empty() || parts.domain.empty()) return std::nullopt;
  return parts;
}

bool IsDisposableEmailDomain(std::string_view domain) {
  std::string d;
  for (char c : domain) d.push_back(Lower(c));
  while (!d.empty() && d.back() == '.') d.pop_back();
  std::string_view rest = d;
  while (!rest.empty()) {
    if (std::binary_search(std::begin(kDisposableDomains), std::end(kDisposableDomains), rest)) {
      return true;
    }
    const size_t dot = rest.find('.');
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  return false;
}

double EmailRandomness(std::string_view local_part) {
  std::string s;
  for (char c : local_part) {
    if (c == '+') break;
    s.push_back(Lower(c));
  }
  int letters = 0;
  int digits = 0;
  int vowels = 0;
  for (char c : s) {
    letters += IsLetter(c);
    digits += IsDigit(c);
    vowels += IsVowel(c);
  }
  if (letters + digits < 4) return 0;

  // Digits, a short trailing run (a year) counting half.
  int trailing = 0;
  for (size_t i = s.size(); i > 0 && IsDigit(s[i - 1]); --i) ++trailing;
  const double weighted_digits = trailing <= 4 ? digits - trailing / 2.0 : digits;
  const double digit_score = Ramp(weighted_digits / (letters + digits), 0.1, 0.5);

  // Letter↔digit switches and consonant runs; bigrams within letter runs.
  const BigramTable& seen = SeenBigrams();
  int switches = 0;
  int longest_consonants = 0;
  int consonants = 0;
  int bigrams = 0;
  int unseen = 0;
  char prev = 0;
  for (char c : s) {
    if (IsLetter(c)) {
      consonants = IsVowel(c) ? 0 : consonants + 1;
      longest_consonants = std::max(longest_consonants, consonants);
      if (IsLetter(prev)) {
        ++bigrams;
        unseen += !seen[prev - 'a'][c - 'a'];
      }
    } else {
      consonants = 0;
    }
    if ((IsLetter(prev) && IsDigit(c)) || (IsDigit(prev) && IsLetter(c))) ++switches;
    prev = c;
  }
  const double alternation = Ramp(switches, 1, 5);
  double consonant_score = Ramp(longest_consonants, 3, 5);
  if (letters >= 5) {
    consonant_score =
        std::max(consonant_score, Ramp(-static_cast<double>(vowels) / letters, -0.2, 0.0));
  }
  const double bigram_score =
      bigrams == 0 ? 0 : Ramp(static_cast<double>(unseen) / bigrams, 0.1, 0.5);
  const double keep = (1 - 0.6 * bigram_score) * (1 - 0.5 * consonant_score) *
                      (1 - 0.4 * digit_score) * (1 - 0.4 * alternation);
  return 1 - keep;
}

}  // namespace orderpilot::risk
