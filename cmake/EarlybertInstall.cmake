# Installs libearlybert, its public headers and a CMake package so that another project can write
#   find_package(earlybert REQUIRED)   target_link_libraries(app PRIVATE earlybert::earlybert)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS earlybert EXPORT earlybertTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/earlybert DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# The sentencepiece plugin goes next to libearlybert.so, where libearlybert looks for it at run time.
if(TARGET earlybert_spm)
  install(TARGETS earlybert_spm LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endif()
if(TARGET earlybert_cli)
  install(TARGETS earlybert_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  # The shipped presets, where `earlybert finetune --task T` finds configs/finetune/T.yaml
  # (apps/earlybert/config_dir.h: <prefix>/share/earlybert/configs next to <prefix>/bin/earlybert).
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/configs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/earlybert/configs)
endif()

set(EARLYBERT_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/earlybert)
install(EXPORT earlybertTargets NAMESPACE earlybert:: DESTINATION ${EARLYBERT_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/earlybertConfig.cmake.in
  ${PROJECT_BINARY_DIR}/earlybertConfig.cmake INSTALL_DESTINATION ${EARLYBERT_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/earlybertConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/earlybertConfig.cmake ${PROJECT_BINARY_DIR}/earlybertConfigVersion.cmake
        DESTINATION ${EARLYBERT_CMAKE_DIR})
