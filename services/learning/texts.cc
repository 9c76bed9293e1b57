#include "learning/texts.h"

#include "common/str_cat.h"
#include "learning/recommender.h"

namespace polku::learning {

bool IsFinnish(std::string_view locale) {
  return locale == "fi" || locale.substr(0, 3) == "fi-" ||
         locale.substr(0, 3) == "fi_";
}

std::string NudgeText(NudgeKind kind, std::string_view locale,
                      std::string_view title, std::string_view context) {
  const bool fi = IsFinnish(locale);
  using common::StrCat;
  switch (kind) {
    case NudgeKind::kContinuePath:
      return fi ? StrCat("Seuraava askel polullasi \"", context, "\": ", title,
                         ".")
                : StrCat("Next step on your path \"", context, "\": ", title,
                         ".");
    case NudgeKind::kApplyAtWork:
      return fi ? StrCat("Sovella juuri oppimaasi (", context,
                         ") työssäsi: ", title, ".")
                : StrCat("Put what you just learned (", context,
                         ") to work: ", title, ".");
    case NudgeKind::kShareWithCommunity:
      return fi ? StrCat("Jaa oppimaasi muiden kanssa: ", title, ".")
                : StrCat("Share what you learned with others: ", title, ".");
    case NudgeKind::kReflect:
      return fi ? StrCat(
                      "Olet suorittanut paljon. Pysähdy pohtimaan, mitä "
                      "opit: ",
                      title, ".")
                : StrCat(
                      "You have completed a lot. Take a moment to reflect "
                      "on what you learned: ",
                      title, ".");
    case NudgeKind::kExploreFutureSkill:
      return fi ? StrCat("Tutustu tulevaisuuden taitoon: ", title, ".")
                : StrCat("Explore a skill for the future: ", title, ".");
    case NudgeKind::kChooseYourNextStep:
      return fi ? StrCat("Valitse itse seuraava askeleesi, esimerkiksi: ",
                         title, ".")
                : StrCat("Choose your own next step, for example: ", title,
                         ".");
    case NudgeKind::kTurnCourseIntoPath:
      return fi ? StrCat("Tämä kuuluu oppimispolkuun \"", title,
                         "\": jatka polkuna yksittäisen kurssin sijaan.")
                : StrCat("This is part of the learning path \"", title,
                         "\": continue it as a path, not a single course.");
    case NudgeKind::kCompleteRequired:
      return fi ? StrCat("Pakollinen koulutus on vielä kesken: ", title, ".")
                : StrCat("Required training still to complete: ", title, ".");
    case NudgeKind::kNextAfterSimilar:
      return fi ? StrCat("Samoja asioita opiskelleet jatkoivat tähän: ", title,
                         ".")
                : StrCat("People who learned what you did went on to: ", title,
                         ".");
    case NudgeKind::kSupportsGoal:
      return fi ? StrCat("Tukee tavoitetta, jota kohti jo etenet: ", title, ".")
                : StrCat("Supports a goal you are already working toward: ",
                         title, ".");
    case NudgeKind::kUnspecified:
    case NudgeKind::kCount_:
      break;
  }
  return std::string(title);
}

std::string StartPathText(std::string_view locale, std::string_view title) {
  return IsFinnish(locale)
             ? common::StrCat("Aloita oppimispolku \"", title, "\".")
             : common::StrCat("Start the learning path \"", title, "\".");
}

std::string OptedOutText(std::string_view locale) {
  return IsFinnish(locale)
             ? "Olet kieltäytynyt profiloinnista: Polku ei päivitä "
               "profiiliasi eikä tee sinulle suosituksia, ennen kuin sallit "
               "sen uudelleen. Tapahtumasi säilyvät opintosuorituksinasi."
             : "You have opted out of profiling: Polku does not update your "
               "profile or make recommendations for you until you allow it "
               "again. Your events are still kept as your learning records.";
}

std::string_view DimensionLabel(model::Dimension d, std::string_view locale) {
  const bool fi = IsFinnish(locale);
  switch (d) {
    case model::Dimension::kInitiative:
      return fi ? "aloitteellisuus" : "initiative";
    case model::Dimension::kFormat:
      return fi ? "muoto" : "format";
    case model::Dimension::kSetting:
      return fi ? "ympäristö" : "setting";
    case model::Dimension::kSocial:
      return fi ? "yhteisöllisyys" : "social learning";
    case model::Dimension::kOrientation:
      return fi ? "suuntautuminen" : "orientation";
    case model::Dimension::kGoalLink:
      return fi ? "kytkös tavoitteisiin" : "link to goals";
  }
  return "";
}

std::string_view PoleLabel(model::Dimension d, bool leadership_pole,
                           std::string_view locale) {
  const bool fi = IsFinnish(locale);
  const bool l = leadership_pole;
  switch (d) {
    case model::Dimension::kInitiative:
      return fi ? (l ? "itse valittua" : "annettua")
                : (l ? "self-chosen" : "assigned");
    case model::Dimension::kFormat:
      return fi ? (l ? "jatkuvaa ja epämuodollista" : "muodollisia kursseja")
                : (l ? "continuous and informal" : "formal courses");
    case model::Dimension::kSetting:
      return fi ? (l ? "työn lomassa" : "erillään työstä")
                : (l ? "in the flow of work" : "apart from work");
    case model::Dimension::kSocial:
      return fi ? (l ? "yhdessä muiden kanssa" : "yksin")
                : (l ? "with others" : "on your own");
    case model::Dimension::kOrientation:
      return fi ? (l ? "tulevaisuuden taitoja" : "nykyisen roolin aukkoja")
                : (l ? "future skills" : "gaps of the current role");
    case model::Dimension::kGoalLink:
      return fi ? (l ? "organisaation tavoitteisiin kytkettyä"
                     : "tavoitteista irrallista")
                : (l ? "linked to organisation goals" : "not linked to goals");
  }
  return "";
}

}  // namespace polku::learning
