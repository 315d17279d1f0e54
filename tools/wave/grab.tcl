# grab.tcl - GTKWave script of `make wave-png`: fit the whole trace (already
# cut to the interesting window by iommu-sim --wave-from/--wave-to) into the
# window, save it as a PNG, quit.  Headless:
#   xvfb-run -a -s "-screen 0 2000x1000x24" gtkwave --script tools/wave/grab.tcl \
#       build/wave/miss.fst tools/wave/miss.gtkw
# The PNG goes to $WAVE_PNG (default build/wave/miss.png).
set png build/wave/miss.png
if {[info exists env(WAVE_PNG)]} { set png $env(WAVE_PNG) }
gtkwave::/Time/Zoom/Zoom_Best_Fit
gtkwave::/File/Grab_To_File $png
gtkwave::/File/Quit
