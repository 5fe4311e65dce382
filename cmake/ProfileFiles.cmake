# ProfileFiles.cmake - run with `cmake -P` by the install-profile and
# uninstall-profile targets: the "Mail" configuration profile (profiles/Mail)
# in the personal profiles dir of whoever runs it ($HOME, read when it runs),
# where Wireshark (Edit > Configuration Profiles) and `tshark -C Mail` find it.
# (`cmake --install` and the packages install it as a global profile.)
#   -DACTION=install-profile|uninstall-profile -DSRC=<profiles/Mail>
# SPDX-License-Identifier: GPL-2.0-or-later
cmake_minimum_required(VERSION 3.16)

if(DEFINED ENV{XDG_CONFIG_HOME} AND NOT "$ENV{XDG_CONFIG_HOME}" STREQUAL "")
  set(dest "$ENV{XDG_CONFIG_HOME}/wireshark/profiles/Mail")
else()
  set(dest "$ENV{HOME}/.config/wireshark/profiles/Mail")
endif()
file(GLOB files "${SRC}/*")
if(ACTION STREQUAL "install-profile")
  if(EXISTS "${dest}")
    # a profile the user changed is kept aside, not overwritten silently
    string(TIMESTAMP stamp "%Y%m%d%H%M%S")
    file(RENAME "${dest}" "${dest}.old-${stamp}")
    message(STATUS "Kept the previous profile as ${dest}.old-${stamp}")
  endif()
  file(MAKE_DIRECTORY "${dest}")
  file(COPY ${files} DESTINATION "${dest}")
  message(STATUS "Installed the Mail profile in ${dest} (wireshark -C Mail, tshark -C Mail; "
                 "undo: cmake --build build --target uninstall-profile)")
elseif(ACTION STREQUAL "uninstall-profile")
  if(EXISTS "${dest}")
    file(REMOVE_RECURSE "${dest}")
    message(STATUS "Removed ${dest}")
  else()
    message(STATUS "Nothing to remove: ${dest} does not exist")
  endif()
else()
  message(FATAL_ERROR "ProfileFiles.cmake: unknown ACTION '${ACTION}'")
endif()
