# PluginFiles.cmake - run with `cmake -P` by the install-user, uninstall-user
# and uninstall targets (plugin/CMakeLists.txt). It reads $HOME and the user
# id when it runs, not when the build was configured, so `sudo` or another
# user gets their own answer.
#   -DACTION=install-user|uninstall-user|uninstall -DPLUGIN=<built mailsess.so>
#   -DWSVER=<major.minor> -DSYSTEM_DIR=<system epan plugin dir>
#   -DPROFILE_DIR=<the global Mail profile dir, removed by uninstall>
# SPDX-License-Identifier: GPL-2.0-or-later
cmake_minimum_required(VERSION 3.16)

execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)
set(user_dir "$ENV{HOME}/.local/lib/wireshark/plugins/${WSVER}/epan")
set(system_so "${SYSTEM_DIR}/mailsess.so")
set(user_so "${user_dir}/mailsess.so")

# the package owns the system copy: the build tree must not remove it
function(owned_by_package file out)
  set(${out} "" PARENT_SCOPE)
  find_program(DPKG_QUERY dpkg-query)
  if(DPKG_QUERY)
    execute_process(COMMAND ${DPKG_QUERY} -S "${file}" OUTPUT_VARIABLE owner
                    ERROR_QUIET RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(rc EQUAL 0)
      string(REGEX REPLACE ":.*" "" owner "${owner}")
      set(${out} "${owner}" PARENT_SCOPE)
    endif()
  endif()
endfunction()

if(ACTION STREQUAL "install-user")
  if(uid STREQUAL "0")
    message(FATAL_ERROR
      "install-user: nothing installed. You are root, and tshark/Wireshark run by root "
      "ignore personal plugin directories (${user_dir}).\n"
      "root's tshark loads plugins from the system directory ${SYSTEM_DIR}: install there with\n"
      "    cmake --install build          (undo: cmake --build build --target uninstall)\n"
      "or install the package (packaging/README.md). As a normal user, run install-user without sudo.")
  endif()
  file(MAKE_DIRECTORY "${user_dir}")
  execute_process(COMMAND ${CMAKE_COMMAND} -E copy "${PLUGIN}" "${user_so}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "could not copy ${PLUGIN} to ${user_so}")
  endif()
  message(STATUS "Installed ${user_so} (undo: cmake --build build --target uninstall-user)")
  if(EXISTS "${system_so}")
    message(WARNING
      "A system-wide ${system_so} exists: Wireshark finds both copies "
      "(\"The plugin 'mailsess.so' was found in multiple directories\") and loads the "
      "system one, not the one just installed. Remove it first "
      "(cmake --build build --target uninstall as root, or apt-get remove wireshark-mailsess).")
  endif()
elseif(ACTION STREQUAL "uninstall-user")
  if(EXISTS "${user_so}")
    file(REMOVE "${user_so}")
    message(STATUS "Removed ${user_so}")
  else()
    message(STATUS "Nothing to remove: ${user_so} does not exist")
  endif()
elseif(ACTION STREQUAL "uninstall")
  set(target "$ENV{DESTDIR}${system_so}")
  if(NOT EXISTS "${target}")
    message(STATUS "Nothing to remove: ${target} does not exist")
    return()
  endif()
  owned_by_package("${target}" owner)
  if(owner)
    message(FATAL_ERROR "${target} belongs to the package ${owner}: remove it with apt-get remove ${owner}")
  endif()
  file(REMOVE "${target}")
  if(EXISTS "${target}")
    message(FATAL_ERROR "could not remove ${target} (run as root)")
  endif()
  message(STATUS "Removed ${target}")
  # the global Mail profile cmake --install put beside it
  set(profile "$ENV{DESTDIR}${PROFILE_DIR}")
  if(PROFILE_DIR AND EXISTS "${profile}/colorfilters")
    owned_by_package("${profile}/colorfilters" powner)
    if(NOT powner)
      file(REMOVE_RECURSE "${profile}")
      message(STATUS "Removed ${profile}")
    endif()
  endif()
else()
  message(FATAL_ERROR "PluginFiles.cmake: unknown ACTION '${ACTION}'")
endif()
