// The pages' static files (services/ui/assets/), compiled into the library
// by embed_assets.cmake so the server needs no files at run time.
#ifndef POLKU_UI_UI_ASSETS_H_
#define POLKU_UI_UI_ASSETS_H_

#include <string_view>

namespace polku::ui {

struct UiAsset {
  std::string_view name;  // "learner.js"
  std::string_view content_type;
  std::string_view body;
};

// The asset named `name`, or nullptr.
const UiAsset* FindAsset(std::string_view name);

}  // namespace polku::ui

#endif  // POLKU_UI_UI_ASSETS_H_
