# Warning flags for every mailsess target (the project is warning-free).
set(MAILSESS_WARNINGS -Wall -Wextra -Wmissing-prototypes -Wshadow)
if(MAILSESS_WERROR)
  list(APPEND MAILSESS_WARNINGS -Werror)
endif()

function(mailsess_warnings target)
  target_compile_options(${target} PRIVATE ${MAILSESS_WARNINGS})
endfunction()
